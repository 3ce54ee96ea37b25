"""``courses/<id>/modules/…``: a course's modules through the API, as the portal's course setup page."""

from __future__ import annotations

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding.models import CourseModule
from tests.fixtures import training_course_for

BASE = "/api/v1/t/alpha/"
MODULE = {"title": "The first call", "body": "What to ask.", "video_url": "https://videos.example/call"}


def _titles(course) -> list[str]:
    with tenant_context(course.tenant_id):
        return list(CourseModule.objects.filter(course=course).order_by("position").values_list("title", flat=True))


def test_a_partner_manager_adds_edits_moves_and_removes_a_module(client, world):
    course = training_course_for(world.a.tenant)
    client.force_login(world.a.manager)
    url = BASE + f"courses/{course.public_id}/modules/"

    added = client.post(url, MODULE, content_type="application/json")
    assert added.status_code == 201, added.content
    assert [m["title"] for m in added.json()["modules"]] == ["The pitch", "Pricing", "The first call"]
    assert added.json()["modules"][2]["position"] == 3

    edited = client.put(url + "3/", {**MODULE, "title": "Calling"}, content_type="application/json")
    assert edited.status_code == 200, edited.content
    assert _titles(course) == ["The pitch", "Pricing", "Calling"]

    moved = client.post(url + "3/move/", {"direction": "up"}, content_type="application/json")
    assert moved.status_code == 200, moved.content
    assert [m["title"] for m in moved.json()["modules"]] == ["The pitch", "Calling", "Pricing"]

    removed = client.delete(url + "1/")
    assert removed.status_code == 200, removed.content
    assert [(m["position"], m["title"]) for m in removed.json()["modules"]] == [(1, "Calling"), (2, "Pricing")]
    with tenant_context(world.a.tenant.pk):
        actions = set(AuditEntry.objects.filter(action__startswith="training.module_").values_list("action", flat=True))
    assert actions == {"training.module_add", "training.module_update", "training.module_move", "training.module_remove"}


def test_bad_input_answers_400_in_the_error_envelope_and_changes_nothing(client, world):
    course = training_course_for(world.a.tenant)
    client.force_login(world.a.owner)
    url = BASE + f"courses/{course.public_id}/modules/"

    not_https = client.post(url, {**MODULE, "video_url": "http://videos.example/call"}, content_type="application/json")
    assert (not_https.status_code, not_https.json()["attr"]) == (400, "video_url")
    no_title = client.put(url + "1/", {"title": ""}, content_type="application/json")
    assert (no_title.status_code, no_title.json()["attr"]) == (400, "title")
    sideways = client.post(url + "1/move/", {"direction": "left"}, content_type="application/json")
    assert (sideways.status_code, sideways.json()["attr"]) == (400, "direction")
    assert _titles(course) == ["The pitch", "Pricing"]


def test_a_missing_position_is_not_found(client, world):
    course = training_course_for(world.a.tenant)
    client.force_login(world.a.manager)
    url = BASE + f"courses/{course.public_id}/modules/9/"
    assert client.put(url, MODULE, content_type="application/json").status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(url + "move/", {"direction": "up"}, content_type="application/json").status_code == 404


def test_an_analyst_may_not_change_modules(client, world):
    course = training_course_for(world.a.tenant)
    client.force_login(world.a.analyst)
    url = BASE + f"courses/{course.public_id}/modules/"
    for response in (
        client.post(url, MODULE, content_type="application/json"),
        client.put(url + "1/", MODULE, content_type="application/json"),
        client.delete(url + "1/"),
        client.post(url + "1/move/", {"direction": "down"}, content_type="application/json"),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert _titles(course) == ["The pitch", "Pricing"]


def test_partner_users_and_another_tenants_staff_get_not_found(client, world):
    course = training_course_for(world.a.tenant)
    foreign = training_course_for(world.b.tenant, title="Theirs")
    client.force_login(world.a.partner1_admin)
    mine = BASE + f"courses/{course.public_id}/modules/"
    assert client.post(mine, MODULE, content_type="application/json").status_code == 404
    assert client.delete(mine + "1/").status_code == 404

    client.force_login(world.a.manager)
    theirs = BASE + f"courses/{foreign.public_id}/modules/"
    assert client.post(theirs, MODULE, content_type="application/json").status_code == 404
    assert client.put(theirs + "1/", MODULE, content_type="application/json").status_code == 404
    assert client.delete(theirs + "1/").status_code == 404
    assert client.post(theirs + "1/move/", {"direction": "down"}, content_type="application/json").status_code == 404
    assert _titles(course) == ["The pitch", "Pricing"]
    assert _titles(foreign) == ["The pitch", "Pricing"]
