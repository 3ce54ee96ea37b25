"""The partner side of training and sales content in the API: courses to take, quiz attempts, own certifications, content."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding.models import Certification, CourseCompletion
from partners import content
from partners.models import ContentItem, EngagementEvent, PartnerOrganization, Tier
from tests.fixtures import onboarding_plan_for, quiz_answers, training_course_for

API = "/api/v1/t/alpha"
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def course(world):
    return training_course_for(world.a.tenant, questions=5)


def completions_of(world, user) -> list[CourseCompletion]:
    with tenant_context(world.a.tenant.pk):
        return list(CourseCompletion.objects.filter(user=user))


def submit(client, course, answers):
    return client.post(f"{API}/my-courses/{course.public_id}/quiz/", {"answers": answers}, content_type="application/json")


# --- courses -----------------------------------------------------------------------------------


def test_a_partner_user_lists_published_courses_with_questions_but_never_the_correct_answer(client, world, course):
    training_course_for(world.a.tenant, title="Draft", is_published=False)
    client.force_login(world.a.partner1_rep)

    response = client.get(f"{API}/my-courses/")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == str(course.public_id) and row["title"] == "Selling the platform"
    assert len(row["questions"]) == 5 and len(row["questions"][0]["choices"]) == 3
    assert "is_correct" not in response.content.decode() and "correct" not in row["questions"][0]["choices"][0]
    assert row["my_progress"] == {
        "attempts": 0,
        "latest_score": 0,
        "best_score": 0,
        "passed": False,
        "first_passed_at": None,
        "certification": None,
    }


def test_passing_the_quiz_certifies_the_caller_and_is_audited(client, world, course):
    client.force_login(world.a.partner1_rep)

    response = submit(client, course, quiz_answers(course, correct=5))

    assert response.status_code == 200
    body = response.json()
    assert (body["score"], body["correct"], body["total"], body["passed"], body["renewed"]) == (100, 5, 5, True, False)
    with tenant_context(world.a.tenant.pk):
        certification = Certification.objects.get(user=world.a.partner1_rep, course=course)
        assert AuditEntry.objects.filter(action="training.quiz_attempt", actor_id=world.a.partner1_rep.pk).count() == 1
    assert body["certification"]["credential_number"] == certification.credential_number
    assert certification.partner_id == world.a.partner1.pk
    assert body["my_progress"]["passed"] is True and body["my_progress"]["attempts"] == 1
    listed = client.get(f"{API}/my-courses/{course.public_id}/").json()
    assert listed["my_progress"]["certification"]["credential_number"] == certification.credential_number


def test_a_failed_attempt_counts_and_certifies_nobody(client, world, course):
    client.force_login(world.a.partner1_rep)

    body = submit(client, course, quiz_answers(course, correct=3)).json()

    assert (body["score"], body["passed"], body["certification"]) == (60, False, None)
    [completion] = completions_of(world, world.a.partner1_rep)
    assert (completion.attempts, completion.passed) == (1, False)


def test_an_incomplete_attempt_is_a_400_envelope_and_is_not_counted(client, world, course):
    answers = quiz_answers(course, correct=5)
    answers.pop(next(iter(answers)))
    client.force_login(world.a.partner1_rep)

    response = submit(client, course, answers)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("incomplete_answers", "answers")
    assert completions_of(world, world.a.partner1_rep) == []


def test_the_fourth_attempt_in_a_day_is_refused(client, world, course):
    client.force_login(world.a.partner1_rep)
    for _ in range(3):
        assert submit(client, course, quiz_answers(course, correct=0)).status_code == 200

    response = submit(client, course, quiz_answers(course, correct=5))

    assert response.status_code == 400 and response.json()["code"] == "too_many_attempts"
    [completion] = completions_of(world, world.a.partner1_rep)
    assert (completion.attempts, completion.passed) == (3, False)


def test_a_draft_or_another_tenants_course_is_not_found(client, world):
    draft = training_course_for(world.a.tenant, title="Draft", is_published=False)
    foreign = training_course_for(world.b.tenant, title="Theirs")
    client.force_login(world.a.partner1_rep)

    for course in (draft, foreign):
        assert client.get(f"{API}/my-courses/{course.public_id}/").status_code == 404
        assert submit(client, course, quiz_answers(course, correct=3)).status_code == 404
    assert completions_of(world, world.a.partner1_rep) == []


def test_vendor_staff_have_no_courses_of_their_own_here(client, world, course):
    client.force_login(world.a.manager)

    assert client.get(f"{API}/my-courses/").status_code == 404
    assert submit(client, course, quiz_answers(course, correct=3)).status_code == 404


def test_the_course_list_costs_the_same_queries_for_one_and_four_courses(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.a.partner1_rep)
    training_course_for(world.a.tenant)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{API}/my-courses/").status_code == 200
        return len(captured)

    one = queries()
    for n in range(3):
        training_course_for(world.a.tenant, title=f"Course {n}")
    four = queries()

    assert one == four


# --- certifications ----------------------------------------------------------------------------


def test_my_certifications_are_only_the_callers(client, world, course):
    client.force_login(world.a.partner1_rep)
    submit(client, course, quiz_answers(course, correct=5))
    client.force_login(world.a.partner1_admin)
    submit(client, course, quiz_answers(course, correct=5))

    rows = client.get(f"{API}/my-certifications/").json()

    with tenant_context(world.a.tenant.pk):
        mine = Certification.objects.get(user=world.a.partner1_admin)
        theirs = Certification.objects.get(user=world.a.partner1_rep)
    assert [row["id"] for row in rows] == [str(mine.public_id)]
    assert client.get(f"{API}/my-certifications/{theirs.public_id}/").status_code == 404


# --- sales content -----------------------------------------------------------------------------


def add_file(world, title="Q3 deck", min_tier=None) -> ContentItem:
    with tenant_context(world.a.tenant.pk):
        return content.content_create(
            tenant=world.a.tenant,
            actor=world.a.manager,
            title=title,
            kind="file",
            file=SimpleUploadedFile("deck.pdf", PDF),
            min_tier=min_tier,
        )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_gate_refuses_content_with_a_403_naming_the_missing_steps_and_counts_nothing(client, world):
    item = add_file(world)
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    listed = client.get(f"{API}/my-content/")
    download = client.get(f"{API}/my-content/{item.public_id}/download/")

    for response in (listed, download):
        assert response.status_code == 403
        body = response.json()
        assert (body["type"], body["code"]) == ("client_error", "onboarding_incomplete")
        assert "Sign the partner agreement" in body["detail"] and "Security questionnaire" in body["detail"]
    with tenant_context(world.a.tenant.pk):
        assert not EngagementEvent.objects.filter(kind="content_download").exists()


def test_with_the_gate_open_a_partner_lists_and_downloads_content_and_it_counts(client, world):
    item = add_file(world)
    client.force_login(world.a.partner1_rep)

    rows = client.get(f"{API}/my-content/").json()["results"]
    download = client.get(f"{API}/my-content/{item.public_id}/download/")

    assert [row["id"] for row in rows] == [str(item.public_id)]
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    with tenant_context(world.a.tenant.pk):
        [event] = EngagementEvent.objects.filter(kind="content_download")
    assert (event.partner_id, event.user_id) == (world.a.partner1.pk, world.a.partner1_rep.pk)


def test_content_above_the_partners_tier_does_not_exist_for_it(client, world):
    with tenant_context(world.a.tenant.pk):
        gold = Tier.objects.create(tenant=world.a.tenant, name="Gold", rank=2)
    item = add_file(world, title="Gold pricing", min_tier=gold)
    client.force_login(world.a.partner1_rep)

    assert client.get(f"{API}/my-content/").json()["results"] == []
    assert client.get(f"{API}/my-content/{item.public_id}/download/").status_code == 404

    with tenant_context(world.a.tenant.pk):
        PartnerOrganization.objects.filter(pk=world.a.partner1.pk).update(tier=gold)
    assert client.get(f"{API}/my-content/{item.public_id}/download/").status_code == 200


def test_another_tenants_item_is_not_found_and_staff_have_no_partner_content(client, world):
    with tenant_context(world.b.tenant.pk):
        foreign = content.content_create(
            tenant=world.b.tenant, actor=world.b.manager, title="Theirs", kind="link", url="https://b.example/x"
        )
    client.force_login(world.a.partner1_rep)
    assert client.get(f"{API}/my-content/{foreign.public_id}/download/").status_code == 404

    client.force_login(world.a.manager)
    assert client.get(f"{API}/my-content/").status_code == 404
