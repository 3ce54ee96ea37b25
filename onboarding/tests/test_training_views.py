"""Training pages: the partner's courses, quiz and certifications, the vendor's overview and list, and the API."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding import training
from onboarding.models import (
    Certification,
    CourseCompletion,
    CourseModule,
    OnboardingTemplate,
    OnboardingTemplateStep,
    QuizChoice,
)
from onboarding.services import plan_create_for_partner
from tests.fixtures import quiz_answers, training_course_for


def text(response) -> str:
    """The page as a person reads it: entities turned back into characters, runs of white space as one space."""
    return " ".join(html.unescape(response.content.decode()).split())


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def course_url(course) -> str:
    return f"/p/alpha/training/courses/{course.public_id}/"


def quiz_form(course, *, correct: int) -> dict[str, str]:
    return {f"q-{question}": choice for question, choice in quiz_answers(course, correct=correct).items()}


def pass_course(tenant_world, course, *, user=None, partner=None) -> training.QuizResult:
    user, partner = user or tenant_world.partner1_admin, partner or tenant_world.partner1
    with tenant_context(tenant_world.tenant.pk, partner_id=partner.pk):
        return training.quiz_submit(
            tenant=tenant_world.tenant, actor=user, partner_id=partner.pk, course=course, answers=quiz_answers(course, correct=3)
        )


def without_csrf(body: str) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", body)


@pytest.fixture
def course(world):
    return training_course_for(world.a.tenant, title="Selling the platform", track="sales")


# --- partner portal: the catalogue -------------------------------------------------------------


def test_the_catalogue_groups_published_courses_by_track(client, world, course):
    training_course_for(world.a.tenant, title="Deploying the platform", track="technical")
    training_course_for(world.a.tenant, title="Unfinished draft", is_published=False)
    client.force_login(world.a.partner1_rep)

    response = client.get("/p/alpha/training/")

    body = text(response)
    assert response.status_code == 200
    assert (
        body.index("Sales") < body.index("Selling the platform") < body.index("Technical") < body.index("Deploying the platform")
    )
    assert "Unfinished draft" not in body
    assert "Not started" in body


def test_the_catalogue_shows_the_persons_own_progress(client, world, course):
    certification = pass_course(world.a, course, user=world.a.partner1_rep).certification
    client.force_login(world.a.partner1_rep)

    body = text(client.get("/p/alpha/training/"))

    assert f"Certified until {certification.expires_on:%Y-%m-%d}" in body


@pytest.mark.parametrize("extra_courses", [0, 6])
def test_the_catalogue_costs_the_same_queries_for_any_number_of_courses(client, world, course, extra_courses):
    for number in range(extra_courses):
        extra = training_course_for(
            world.a.tenant, title=f"Extra course {number}", track=["sales", "technical", "admin"][number % 3]
        )
        pass_course(world.a, extra, user=world.a.partner1_rep)
    client.force_login(world.a.partner1_rep)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/p/alpha/training/")

    assert response.status_code == 200
    assert response.content.decode().count("data-course=") == 1 + extra_courses
    # 1 session, 2 user, 3 tenant by slug, 4 SAVEPOINT (tenant scope), 5 set_config (tenant),
    # 6 membership + partner, 7 set_config (narrowed to the partner); the catalogue: 8 courses with
    # their counts, 9 learning path entries with their paths, 10 the person's completions, 11 their
    # certifications; tenant switcher while rendering: 12 SAVEPOINT, 13 set_config (user),
    # 14 memberships in every tenant, 15 set_config (tenant again), 16 RELEASE; 17 RELEASE,
    # 18 set_config (outer, empty).
    assert len(queries) == 18, "\n".join(q["sql"] for q in queries.captured_queries)


# --- partner portal: a course and its quiz -----------------------------------------------------


def test_the_course_page_shows_modules_as_plain_text_and_links(client, world, course):
    with tenant_context(world.a.tenant.pk):
        CourseModule.objects.create(
            tenant=world.a.tenant,
            course=course,
            position=3,
            title="Careful",
            body="<script>alert('x')</script>\nsecond line",
            video_url="https://video.example/<b>",
        )
    client.force_login(world.a.partner1_rep)

    response = client.get(course_url(course))

    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>second line" in body
    assert "<script>alert" not in body
    assert '<a href="https://video.example/pitch" target="_blank" rel="noopener noreferrer">' in body
    assert "<iframe" not in body and "<video" not in body
    assert 'href="https://files.example/pricing.pdf"' in body and "Price list" in body


def test_modules_only_link_to_https_addresses(world, course):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    with tenant_context(world.a.tenant.pk):
        module = CourseModule(tenant=world.a.tenant, course=course, position=9, title="Bad", video_url="javascript:alert(1)")
        with pytest.raises(ValidationError):
            module.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            CourseModule.objects.create(
                tenant=world.a.tenant, course=course, position=9, title="Bad", video_url="http://x.example/"
            )


def test_the_quiz_page_never_tells_which_answers_are_correct(client, world, course):
    client.force_login(world.a.partner1_rep)
    before = without_csrf(client.get(course_url(course)).content.decode())

    with tenant_context(world.a.tenant.pk):
        QuizChoice.objects.filter(question__course=course).update(is_correct=True)
    after = without_csrf(client.get(course_url(course)).content.decode())

    assert before == after  # the same page whichever answers are correct
    choices = re.findall(r'<input class="form-check-input" type="radio"[^>]*>', before)
    assert len(choices) == 9
    assert {re.sub(UUID, "ID", tag) for tag in choices} == {
        '<input class="form-check-input" type="radio" name="q-ID" id="c-ID" value="ID" >'
    }


def test_a_draft_or_unknown_course_is_not_found(client, world):
    draft = training_course_for(world.a.tenant, is_published=False)
    other_tenants = training_course_for(world.b.tenant)
    client.force_login(world.a.partner1_rep)

    assert client.get(course_url(draft)).status_code == 404
    assert client.get(course_url(other_tenants)).status_code == 404


def test_a_passing_quiz_shows_the_score_and_the_credential_number(client, world, course):
    client.force_login(world.a.partner1_rep)

    response = client.post(course_url(course), quiz_form(course, correct=3), follow=True)

    with tenant_context(world.a.tenant.pk):
        certification = Certification.objects.get(user=world.a.partner1_rep)
    body = text(response)
    assert response.redirect_chain == [(course_url(course), 302)]
    assert f"You passed with 100%. Your credential number is {certification.credential_number}" in body
    assert "Your latest score: 100% after 1 attempt. Passed." in body


def test_a_failing_quiz_shows_the_score_and_no_pass(client, world, course):
    client.force_login(world.a.partner1_rep)

    body = text(client.post(course_url(course), quiz_form(course, correct=1), follow=True))

    assert "You scored 33% (1 of 3): not a pass this time." in body
    assert "Not passed yet: the pass mark is 80%." in body
    with tenant_context(world.a.tenant.pk):
        assert not Certification.objects.exists()


def test_an_incomplete_quiz_keeps_the_answers_given(client, world, course):
    form = quiz_form(course, correct=3)
    skipped = next(iter(form))
    kept = {key: value for key, value in form.items() if key != skipped}
    client.force_login(world.a.partner1_rep)

    response = client.post(course_url(course), kept)

    body = response.content.decode()
    assert response.status_code == 400
    assert "Answer every question (1 left)." in text(response)
    for value in kept.values():
        assert re.search(rf'value="{value}" checked', body)
    assert body.count("checked") == 2
    with tenant_context(world.a.tenant.pk):
        assert not CourseCompletion.objects.exists()


def test_vendor_staff_cannot_take_the_quiz(client, world, course):
    client.force_login(world.a.manager)

    assert client.post(course_url(course), quiz_form(course, correct=3)).status_code == 404  # no partner portal for staff


# --- partner portal: certifications ------------------------------------------------------------


def test_my_certifications_lists_my_own_with_numbers_and_expiry(client, world, course):
    mine = pass_course(world.a, course, user=world.a.partner1_rep).certification
    colleague = pass_course(world.a, course, user=world.a.partner1_admin).certification
    client.force_login(world.a.partner1_rep)

    body = text(client.get("/p/alpha/training/certifications/"))

    assert mine.credential_number in body and f"{mine.expires_on:%Y-%m-%d}" in body
    assert colleague.credential_number not in body


def test_a_certificate_is_shown_to_its_partner_only(client, world, course):
    certification = pass_course(world.a, course).certification
    url = f"/p/alpha/training/certifications/{certification.public_id}/"

    client.force_login(world.a.partner1_rep)
    own = client.get(url)
    client.force_login(world.a.partner2_admin)
    other = client.get(url)
    listed = client.get("/p/alpha/training/certifications/")

    assert own.status_code == 200 and certification.credential_number in own.content.decode()
    assert other.status_code == 404
    assert certification.credential_number not in other.content.decode()
    assert certification.credential_number not in listed.content.decode()


# --- partner portal: course steps of onboarding ------------------------------------------------


def training_step_for(tenant_world, partner, course):
    with tenant_context(tenant_world.tenant.pk):
        template = OnboardingTemplate.objects.create(
            tenant=tenant_world.tenant, name="Training", partner_type=partner.partner_type
        )
        OnboardingTemplateStep.objects.create(
            tenant=tenant_world.tenant, template=template, position=1, kind="training", title="Take the course", course=course
        )
        plan = plan_create_for_partner(tenant=tenant_world.tenant, actor=None, partner=partner)
        return plan.steps.get()


def test_a_training_step_links_to_its_course_and_cannot_be_ticked_before_a_pass(client, world, course):
    step = training_step_for(world.a, world.a.partner1, course)
    client.force_login(world.a.partner1_rep)
    url = f"/p/alpha/onboarding/steps/{step.public_id}/"

    page = client.get(url)
    refused = client.post(url)

    assert course_url(course) in page.content.decode()
    assert "Mark as done" not in page.content.decode()
    assert refused.status_code == 400
    assert "Nobody in your organisation has passed this course yet." in text(refused)


def test_passing_the_quiz_completes_the_training_step(client, world, course):
    step = training_step_for(world.a, world.a.partner1, course)
    client.force_login(world.a.partner1_rep)

    client.post(course_url(course), quiz_form(course, correct=3))

    with tenant_context(world.a.tenant.pk):
        step.refresh_from_db()
    assert (step.status, step.completed_by_id) == ("done", world.a.partner1_rep.pk)


# --- vendor portal -----------------------------------------------------------------------------


def test_the_overview_counts_attempts_passes_and_valid_certifications(client, world, course):
    pass_course(world.a, course, user=world.a.partner1_admin)
    pass_course(world.a, course, user=world.a.partner2_admin, partner=world.a.partner2)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        training.quiz_submit(
            tenant=world.a.tenant,
            actor=world.a.partner1_rep,
            partner_id=world.a.partner1.pk,
            course=course,
            answers=quiz_answers(course, correct=0),
        )
    client.force_login(world.a.analyst)

    body = client.get("/t/alpha/training/").content.decode()

    row = re.search(rf'<tr data-course="{course.public_id}">(.*?)</tr>', body, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["3", "2"]
    assert f'?course={course.public_id}&amp;status=valid">2</a>' in row


def test_the_certification_list_filters_those_expiring_within_30_days(client, world, course):
    soon = pass_course(world.a, course, user=world.a.partner1_admin).certification
    later = pass_course(world.a, course, user=world.a.partner2_admin, partner=world.a.partner2).certification
    with tenant_context(world.a.tenant.pk):
        Certification.objects.filter(pk=soon.pk).update(expires_on=timezone.localdate() + datetime.timedelta(days=12))
    client.force_login(world.a.manager)

    everything = client.get("/t/alpha/training/certifications/").content.decode()
    expiring = client.get("/t/alpha/training/certifications/", {"expiring_within_days": 30}).content.decode()
    overview = text(client.get("/t/alpha/training/"))

    assert soon.credential_number in everything and later.credential_number in everything
    assert soon.credential_number in expiring and later.credential_number not in expiring
    assert "1 certification expires within 30 days" in overview


def test_the_certification_list_exports_csv(client, world, course):
    certification = pass_course(world.a, course).certification
    client.force_login(world.a.analyst)

    response = client.get("/t/alpha/training/certifications/", {"export": "csv", "status": "valid"})

    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert certification.credential_number in body and world.a.partner1.name in body


def test_a_manager_revokes_a_certification_with_a_reason(client, world, course):
    certification = pass_course(world.a, course).certification
    client.force_login(world.a.manager)

    response = client.post(f"/t/alpha/training/certifications/{certification.public_id}/revoke/", {"reason": "Issued in error"})

    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        revoked = Certification.objects.get(pk=certification.pk)
        assert AuditEntry.objects.filter(action="training.certification_revoke").count() == 1
    assert (revoked.revoked_reason, revoked.revoked_by_id) == ("Issued in error", world.a.manager.pk)


def test_an_analyst_cannot_revoke_and_nothing_changes(client, world, course):
    certification = pass_course(world.a, course).certification
    client.force_login(world.a.analyst)

    response = client.post(f"/t/alpha/training/certifications/{certification.public_id}/revoke/", {"reason": "No"})

    assert response.status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert Certification.objects.get(pk=certification.pk).revoked_at is None


def test_partner_users_have_no_vendor_training_pages(client, world, course):
    certification = pass_course(world.a, course).certification
    client.force_login(world.a.partner1_admin)

    assert client.get("/t/alpha/training/").status_code == 404
    assert client.post(f"/t/alpha/training/certifications/{certification.public_id}/revoke/", {"reason": "x"}).status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_the_course_api_lists_courses_modules_and_quiz_questions_never_their_answers(client, world, course):
    client.force_login(world.a.analyst)

    response = client.get("/api/v1/t/alpha/courses/", {"track": "sales"})

    [row] = response.json()["results"]
    assert (row["id"], row["pass_mark"], [m["title"] for m in row["modules"]]) == (
        str(course.public_id),
        80,
        ["The pitch", "Pricing"],
    )
    # the questions' ids and text, to edit them at courses/<id>/questions/<id>/; never a choice or which is right
    assert [q["text"] for q in row["questions"]][:1] == ["Question 1?"]
    assert "Answer 1.1" not in response.content.decode() and "is_correct" not in response.content.decode()


def test_the_certification_api_filters_by_expiry(client, world, course):
    soon = pass_course(world.a, course, user=world.a.partner1_admin).certification
    pass_course(world.a, course, user=world.a.partner2_admin, partner=world.a.partner2)
    with tenant_context(world.a.tenant.pk):
        Certification.objects.filter(pk=soon.pk).update(expires_on=timezone.localdate() + datetime.timedelta(days=5))
    client.force_login(world.a.manager)

    rows = client.get("/api/v1/t/alpha/certifications/", {"expiring_within_days": 30}).json()["results"]

    assert [(r["id"], r["credential_number"], r["partner"], r["is_valid"]) for r in rows] == [
        (str(soon.public_id), soon.credential_number, str(world.a.partner1.public_id), True)
    ]


def test_partner_users_cannot_read_the_training_api(client, world, course):
    certification = pass_course(world.a, course).certification
    client.force_login(world.a.partner1_admin)

    assert client.get("/api/v1/t/alpha/courses/").status_code == 404
    assert client.get(f"/api/v1/t/alpha/certifications/{certification.public_id}/").status_code == 404
