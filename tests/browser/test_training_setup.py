"""The partner manager builds a course in the vendor portal: details, a module, a quiz question, publish.

Runs on the demo data that `make run` seeds. The last screenshot is the one the partner manager's
guide shows (docs/img/manager-course-setup.png).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from onboarding.models import Course, CourseModule, QuizChoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "img" / "manager-course-setup.png"
COURSE = "Migrating customers to Acme Cloud"


@pytest.fixture
def acme(transactional_db) -> Tenant:
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_a_manager_creates_and_publishes_a_course(page, acme, screenshot) -> None:
    from tests.browser.test_lifecycle_journey import log_in

    log_in(page, "manager@acme.example")
    page.goto("/t/acme/setup/")
    page.get_by_role("link", name="Courses and quizzes").click()
    page.get_by_role("link", name="New course").click()

    page.fill("#id_title", COURSE)
    page.fill("#id_summary", "Plan, move and verify a customer's workloads with the migration toolkit.")
    page.select_option("#id_track", "technical")
    page.fill("#id_pass_mark", "75")
    page.fill("#id_validity_months", "24")
    page.get_by_role("button", name="Create course").click()
    expect(page.locator("h1")).to_contain_text(COURSE)
    expect(page.get_by_test_id("course-status")).to_have_text("Draft")
    expect(page.locator("#publish-problems")).to_contain_text("Add at least one quiz question.")

    page.get_by_text("Add a module").click()
    module_form = page.get_by_test_id("module-form")
    module_form.locator("#id_title").fill("Planning the move")
    module_form.locator("#id_body").fill("Inventory the workloads.\n\nAgree the cut-over window with the customer.")
    module_form.locator("#id_video_url").fill("https://video.acme.example/migration-planning")
    module_form.get_by_role("button", name="Add module").click()
    expect(page.get_by_test_id("setup-module")).to_have_count(1)

    page.get_by_text("Add a question").click()
    question_form = page.get_by_test_id("question-form")
    question_form.locator("#id_text").fill("What do you agree with the customer before the cut-over?")
    question_form.locator("#id_choice_1").fill("The cut-over window")
    question_form.locator("#id_correct_1").check()
    question_form.locator("#id_choice_2").fill("The colour of the dashboard")
    question_form.locator("#id_choice_3").fill("Nothing, it is automatic")
    question_form.get_by_role("button", name="Add question").click()
    expect(page.get_by_test_id("setup-question")).to_have_count(1)
    expect(page.locator("#publish-problems")).to_have_count(0)

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("course-status")).to_have_text("Published")
    expect(page.get_by_role("alert").filter(has_text="Published: partners can take the course.")).to_be_visible()
    screenshot(page, "manager-course-setup")
    DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMAGE))

    with tenant_context(acme.pk):
        course = Course.objects.get(title=COURSE)
        assert (course.is_published, course.track, course.pass_mark) == (True, "technical", 75)
        assert list(CourseModule.objects.filter(course=course).values_list("position", "title")) == [(1, "Planning the move")]
        assert list(
            QuizChoice.objects.filter(question__course=course).order_by("position").values_list("text", "is_correct")
        ) == [("The cut-over window", True), ("The colour of the dashboard", False), ("Nothing, it is automatic", False)]
