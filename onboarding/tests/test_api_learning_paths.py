"""``learning-paths/``: each track's learning path and its courses through the API, as the portal's paths page."""

from __future__ import annotations

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding.models import LearningPath, LearningPathCourse
from tests.fixtures import training_course_for

BASE = "/api/v1/t/alpha/"
SALES = {"track": "sales", "title": "Sales path", "description": "From the pitch to the first deal."}


def _path(world) -> LearningPath:
    with tenant_context(world.a.tenant.pk):
        return LearningPath.objects.create(tenant=world.a.tenant, track="sales", title="Sales path")


def _on_path(path) -> list[str]:
    with tenant_context(path.tenant_id):
        entries = LearningPathCourse.objects.filter(path=path).select_related("course").order_by("position")
        return [entry.course.title for entry in entries]


def test_a_partner_manager_saves_a_path_then_adds_moves_and_removes_its_courses(client, world):
    first = training_course_for(world.a.tenant, title="First")
    second = training_course_for(world.a.tenant, title="Second")
    client.force_login(world.a.manager)

    created = client.post(BASE + "learning-paths/", SALES, content_type="application/json")
    assert created.status_code == 201, created.content
    renamed = client.post(BASE + "learning-paths/", {**SALES, "title": "Selling"}, content_type="application/json")
    assert (renamed.status_code, renamed.json()["title"], renamed.json()["id"]) == (200, "Selling", created.json()["id"])

    url = BASE + f"learning-paths/{created.json()['id']}/courses/"
    for course in (first, second):
        added = client.post(url, {"course": str(course.public_id)}, content_type="application/json")
        assert added.status_code == 201, added.content
    assert [(c["position"], c["title"]) for c in added.json()["courses"]] == [(1, "First"), (2, "Second")]

    moved = client.post(url + f"{second.public_id}/move/", {"direction": "up"}, content_type="application/json")
    assert moved.status_code == 200, moved.content
    assert [c["title"] for c in moved.json()["courses"]] == ["Second", "First"]

    removed = client.delete(url + f"{second.public_id}/")
    assert removed.status_code == 200, removed.content
    assert [(c["position"], c["id"]) for c in removed.json()["courses"]] == [(1, str(first.public_id))]

    listed = client.get(BASE + "learning-paths/").json()["results"]
    assert [(p["track"], p["title"], len(p["courses"])) for p in listed] == [("sales", "Selling", 1)]
    with tenant_context(world.a.tenant.pk):
        actions = sorted(AuditEntry.objects.filter(action__startswith="training.path").values_list("action", flat=True))
    assert actions == [
        "training.path_course_add",
        "training.path_course_add",
        "training.path_course_move",
        "training.path_course_remove",
        "training.path_create",
        "training.path_update",
    ]


def test_bad_input_answers_400_in_the_error_envelope_and_changes_nothing(client, world):
    path = _path(world)
    technical = training_course_for(world.a.tenant, title="Technical", track="technical")
    on_path = training_course_for(world.a.tenant, title="On it")
    with tenant_context(world.a.tenant.pk):
        LearningPathCourse.objects.create(tenant=world.a.tenant, path=path, course=on_path, position=1)
    foreign = training_course_for(world.b.tenant, title="Theirs")
    client.force_login(world.a.owner)
    url = BASE + f"learning-paths/{path.public_id}/courses/"

    def add(course_id):
        response = client.post(url, {"course": str(course_id)}, content_type="application/json")
        return response.status_code, response.json()["code"], response.json()["attr"]

    assert add(technical.public_id) == (400, "wrong_track", "course")
    assert add(on_path.public_id) == (400, "duplicate", "course")
    assert add(foreign.public_id) == (400, "invalid_choice", "course")
    assert client.post(url, {"course": "nope"}, content_type="application/json").json()["attr"] == "course"
    sideways = client.post(url + f"{on_path.public_id}/move/", {"direction": "left"}, content_type="application/json")
    assert (sideways.status_code, sideways.json()["attr"]) == (400, "direction")
    no_track = client.post(BASE + "learning-paths/", {**SALES, "track": "marketing"}, content_type="application/json")
    assert (no_track.status_code, no_track.json()["attr"]) == (400, "track")
    assert _on_path(path) == ["On it"]


def test_a_course_not_on_the_path_is_not_found(client, world):
    path = _path(world)
    elsewhere = training_course_for(world.a.tenant, title="Elsewhere")
    client.force_login(world.a.manager)
    url = BASE + f"learning-paths/{path.public_id}/courses/{elsewhere.public_id}/"
    assert client.delete(url).status_code == 404
    assert client.post(url + "move/", {"direction": "up"}, content_type="application/json").status_code == 404


def test_an_analyst_reads_paths_but_may_not_change_them(client, world):
    path = _path(world)
    course = training_course_for(world.a.tenant)
    client.force_login(world.a.analyst)
    assert client.get(BASE + f"learning-paths/{path.public_id}/").json()["title"] == "Sales path"
    for response in (
        client.post(BASE + "learning-paths/", SALES, content_type="application/json"),
        client.post(
            BASE + f"learning-paths/{path.public_id}/courses/", {"course": str(course.public_id)}, content_type="application/json"
        ),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert _on_path(path) == []


def test_partner_users_and_another_tenants_staff_get_not_found(client, world):
    path = _path(world)
    course = training_course_for(world.a.tenant)
    client.force_login(world.a.partner1_admin)
    assert client.get(BASE + "learning-paths/").status_code == 404
    assert client.get(BASE + f"learning-paths/{path.public_id}/").status_code == 404

    client.force_login(world.b.manager)
    theirs = f"/api/v1/t/beta/learning-paths/{path.public_id}/"
    assert client.get(theirs).status_code == 404
    assert client.post(theirs + "courses/", {"course": str(course.public_id)}, content_type="application/json").status_code == 404
    assert client.get("/api/v1/t/beta/learning-paths/").json()["results"] == []
    assert _on_path(path) == []


def test_the_list_reads_paths_and_their_courses_in_fixed_queries(client, world, django_assert_num_queries):
    path = _path(world)
    with tenant_context(world.a.tenant.pk):
        for position in (1, 2, 3):
            course = training_course_for(world.a.tenant, title=f"Course {position}")
            LearningPathCourse.objects.create(tenant=world.a.tenant, path=path, course=course, position=position)
    client.force_login(world.a.manager)
    client.get(BASE + "learning-paths/")  # warm the session and the tenant lookups
    with django_assert_num_queries(QUERIES):
        response = client.get(BASE + "learning-paths/")
    assert [c["title"] for c in response.json()["results"][0]["courses"]] == ["Course 1", "Course 2", "Course 3"]


# measured with three courses on the path; the courses (and their titles) come in one prefetch, so a
# course read one at a time would raise it
QUERIES = 10
