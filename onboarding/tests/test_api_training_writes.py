"""``courses/`` writes and ``certifications/<id>/revoke/``: the portal's course setup and revocation through the API."""

from __future__ import annotations

from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding.models import Certification, Course
from onboarding.training import quiz_submit
from tests.fixtures import quiz_answers, training_course_for

BASE = "/api/v1/t/alpha/"
DETAILS = {"title": "Selling the platform", "summary": "Positioning.", "track": "sales", "pass_mark": 80, "validity_months": 24}


def test_a_partner_manager_creates_a_draft_and_publishing_it_waits_for_its_quiz(client, world):
    client.force_login(world.a.manager)
    created = client.post(BASE + "courses/", DETAILS, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["is_published"] is False
    refused = client.post(BASE + f"courses/{created.json()['id']}/publish/")
    assert refused.status_code == 400
    assert refused.json()["code"] == "quiz_incomplete"


def test_a_course_with_a_quiz_is_published_and_unpublished(client, world):
    course = training_course_for(world.a.tenant, is_published=False)
    client.force_login(world.a.owner)
    assert client.post(BASE + f"courses/{course.public_id}/publish/").json()["is_published"] is True
    assert client.post(BASE + f"courses/{course.public_id}/unpublish/").json()["is_published"] is False


def test_put_changes_the_details_and_out_of_range_values_answer_400(client, world):
    course = training_course_for(world.a.tenant)
    client.force_login(world.a.manager)
    changed = client.put(BASE + f"courses/{course.public_id}/", {**DETAILS, "title": "Renamed"}, content_type="application/json")
    assert changed.json()["title"] == "Renamed"
    bad = client.put(BASE + f"courses/{course.public_id}/", {**DETAILS, "pass_mark": 0}, content_type="application/json")
    assert (bad.status_code, bad.json()["attr"]) == (400, "pass_mark")


def test_an_analyst_reads_courses_but_may_not_change_them(client, world):
    course = training_course_for(world.a.tenant, is_published=False)
    client.force_login(world.a.analyst)
    assert client.get(BASE + f"courses/{course.public_id}/").status_code == 200
    response = client.post(BASE + f"courses/{course.public_id}/publish/")
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    with tenant_context(world.a.tenant.pk):
        assert Course.objects.get(pk=course.pk).is_published is False


def _certification(world) -> Certification:
    course = training_course_for(world.a.tenant)
    with tenant_context(world.a.tenant.pk):
        passed = quiz_submit(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner_id=world.a.partner1.pk,
            course=course,
            answers=quiz_answers(course, correct=3),
        )
    return passed.certification


def test_a_write_key_revokes_a_certification_with_a_reason_on_record(client, world):
    certification = _certification(world)
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="LMS", scope="write")
    key = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    url = BASE + f"certifications/{certification.public_id}/revoke/"
    assert client.post(url, {}, content_type="application/json", **key).json()["attr"] == "reason"
    response = client.post(url, {"reason": "Issued in error."}, content_type="application/json", **key)
    assert response.status_code == 200, response.content
    assert response.json()["is_valid"] is False
    with tenant_context(world.a.tenant.pk):
        revoked = Certification.objects.get(pk=certification.pk)
        assert (revoked.revoked_reason, revoked.revoked_by) == ("Issued in error.", None)
        assert AuditEntry.objects.filter(action="training.certification_revoke").count() == 1
    again = client.post(url, {"reason": "Twice."}, content_type="application/json", **key)
    assert (again.status_code, again.json()["code"]) == (400, "already_revoked")
