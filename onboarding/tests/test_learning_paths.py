"""Learning paths per person: tracks a partner admin assigns, path progress, the team training page, the vendor's view, the API."""

from __future__ import annotations

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecosystem.accounts.models import Role
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from onboarding import training
from onboarding import training_selectors as selectors
from onboarding.learning import learner_tracks_set
from onboarding.models import Certification, LearnerTrack, LearningPath, LearningPathCourse
from tests.factories import MembershipFactory, UserFactory
from tests.fixtures import membership_of, quiz_answers, training_course_for


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def tracks_of(tenant_world, user) -> list[str]:
    with tenant_context(tenant_world.tenant.pk):
        return sorted(LearnerTrack.objects.filter(user=user).values_list("track", flat=True))


def assign(tenant_world, user, tracks, *, partner=None):
    with tenant_context(tenant_world.tenant.pk):
        return learner_tracks_set(
            tenant=tenant_world.tenant,
            actor=tenant_world.partner1_admin,
            partner=partner or tenant_world.partner1,
            user=user,
            tracks=tracks,
        )


def add_person(tenant_world, email: str, *, is_active: bool = True):
    user = UserFactory(email=email)
    with tenant_context(tenant_world.tenant.pk):
        MembershipFactory(
            tenant=tenant_world.tenant, user=user, role=Role.PARTNER_REP, partner=tenant_world.partner1, is_active=is_active
        )
    return user


def pass_course(tenant_world, course, *, user, partner=None) -> Certification:
    partner = partner or tenant_world.partner1
    with tenant_context(tenant_world.tenant.pk, partner_id=partner.pk):
        return training.quiz_submit(
            tenant=tenant_world.tenant, actor=user, partner_id=partner.pk, course=course, answers=quiz_answers(course, correct=3)
        ).certification


def set_expiry(tenant_world, certification, days_from_today: int) -> None:
    with tenant_context(tenant_world.tenant.pk):
        Certification.objects.filter(pk=certification.pk).update(
            expires_on=timezone.localdate() + datetime.timedelta(days=days_from_today)
        )


@pytest.fixture
def sales_path(world):
    """The sales learning path of tenant A: three published courses in order, and one draft that does not count."""
    tenant = world.a.tenant
    courses = [training_course_for(tenant, title=f"Sales {n}", track="sales") for n in (1, 2, 3)]
    draft = training_course_for(tenant, title="Sales draft", track="sales", is_published=False)
    with tenant_context(tenant.pk):
        path = LearningPath.objects.create(tenant=tenant, track="sales", title="Sell the platform")
        for position, course in enumerate([courses[2], courses[0], draft, courses[1]], start=1):
            LearningPathCourse.objects.create(tenant=tenant, path=path, course=course, position=position)
    return [courses[2], courses[0], courses[1]]  # the path's order


# --- services ----------------------------------------------------------------------------------


def test_assigning_tracks_adds_and_removes_them_with_one_audit_row(world):
    assign(world.a, world.a.partner1_rep, ["technical"])

    result = assign(world.a, world.a.partner1_rep, ["admin", "sales"])

    assert result == ["sales", "admin"]  # in track order
    assert tracks_of(world.a, world.a.partner1_rep) == ["admin", "sales"]
    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.filter(action="training.learner_tracks_set").order_by("-id").first()
        row = LearnerTrack.objects.get(user=world.a.partner1_rep, track="sales")
        assert AuditEntry.objects.filter(action="training.learner_tracks_set").count() == 2
    assert entry.actor_id == world.a.partner1_admin.pk
    assert entry.changes == {"person": world.a.partner1_rep.email, "tracks": [["technical"], ["sales", "admin"]]}
    assert (row.partner_id, row.assigned_by_id) == (world.a.partner1.pk, world.a.partner1_admin.pk)


def test_saving_the_same_tracks_again_changes_nothing_and_writes_no_audit_row(world):
    assign(world.a, world.a.partner1_rep, ["sales"])

    assign(world.a, world.a.partner1_rep, ["sales"])

    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.filter(action="training.learner_tracks_set").count() == 1


def test_an_unknown_track_is_refused_on_the_tracks_field_and_nothing_changes(world):
    assign(world.a, world.a.partner1_rep, ["sales"])

    with pytest.raises(ApplicationError) as error:
        assign(world.a, world.a.partner1_rep, ["technical", "marketing"])

    assert (error.value.code, error.value.field) == ("unknown_track", "tracks")
    assert tracks_of(world.a, world.a.partner1_rep) == ["sales"]


@pytest.mark.parametrize("who", ["other partner's admin", "vendor staff", "deactivated member"])
def test_only_active_people_of_the_given_partner_can_be_assigned(world, who):
    if who == "deactivated member":
        user = add_person(world.a, "gone@partner1.example", is_active=False)
    else:
        user = {"other partner's admin": world.a.partner2_admin, "vendor staff": world.a.manager}[who]

    with pytest.raises(ApplicationError) as error:
        assign(world.a, user, ["sales"])

    assert (error.value.code, error.value.field) == ("not_on_team", "user")
    assert tracks_of(world.a, user) == []


# --- selectors: path progress and query counts ---------------------------------------------------


def test_path_progress_counts_only_valid_certifications_as_done(world, sales_path):
    first, second, third = sales_path
    assign(world.a, world.a.partner1_rep, ["sales"])
    pass_course(world.a, first, user=world.a.partner1_rep)
    set_expiry(world.a, pass_course(world.a, second, user=world.a.partner1_rep), 10)  # expiring: still done
    set_expiry(world.a, pass_course(world.a, third, user=world.a.partner1_rep), -1)  # expired: not done

    with tenant_context(world.a.tenant.pk):
        [person] = selectors.team_training(
            tenant=world.a.tenant,
            partner_id=world.a.partner1.pk,
            membership_id=membership_of(world.a.partner1_rep, world.a.tenant).public_id,
        )

    [path] = person.paths
    assert [card.course.title for card in path.cards] == ["Sales 3", "Sales 1", "Sales 2"]  # path order, no draft
    assert [card.status for card in path.cards] == ["certified", "expiring", "lapsed"]
    assert (path.done, path.total) == (2, 3)
    assert [line.status for line in person.certifications] == ["expired", "expiring", "valid"]  # soonest expiry first


def test_a_track_without_a_built_path_lists_its_published_courses_by_title(world):
    training_course_for(world.a.tenant, title="Deploying", track="technical")
    training_course_for(world.a.tenant, title="Architecture", track="technical")
    assign(world.a, world.a.partner1_rep, ["technical"])

    with tenant_context(world.a.tenant.pk):
        catalogue = selectors.training_catalogue(tenant=world.a.tenant, user=world.a.partner1_rep)

    [path] = catalogue.paths
    assert (path.path, [card.course.title for card in path.cards], path.done, path.total) == (
        None,
        ["Architecture", "Deploying"],
        0,
        2,
    )
    assert catalogue.sections == []  # every course is on the person's path


@pytest.mark.parametrize("extra_people", [0, 4])
def test_the_team_page_costs_the_same_queries_for_one_or_five_people(client, world, sales_path, extra_people):
    people = [world.a.partner1_admin]
    for number in range(extra_people):
        people.append(add_person(world.a, f"person{number}@reseller.example"))
    # the rep is deactivated so that "one person" means exactly one
    with tenant_context(world.a.tenant.pk):
        membership = membership_of(world.a.partner1_rep, world.a.tenant)
        membership.is_active = False
        membership.save()
    for user in people:
        assign(world.a, user, ["sales", "technical"])
        pass_course(world.a, sales_path[0], user=user)
    client.force_login(world.a.partner1_admin)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/p/alpha/training/team/")

    assert response.status_code == 200
    assert response.content.decode().count("data-person=") == 1 + extra_people
    # 1 session, 2 user, 3 tenant by slug, 4 SAVEPOINT (tenant scope), 5 set_config (tenant),
    # 6 membership + partner, 7 set_config (narrowed to the partner); the team: 8 the people with
    # their users, 9 their tracks, 10 published courses, 11 learning path entries with their paths,
    # 12 their completions, 13 their current certifications with courses; tenant switcher while
    # rendering: 14 SAVEPOINT, 15 set_config (user), 16 memberships in every tenant, 17 set_config
    # (tenant again), 18 RELEASE; 19 RELEASE, 20 set_config (outer, empty).
    assert len(queries) == 20, "\n".join(q["sql"] for q in queries.captured_queries)


def test_the_team_selector_makes_six_queries(world, sales_path, django_assert_num_queries):
    assign(world.a, world.a.partner1_rep, ["sales"])
    # 1 people with users, 2 tracks, 3 published courses, 4 path entries with paths,
    # 5 completions, 6 current certifications with courses
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk), django_assert_num_queries(6):
        people = selectors.team_training(tenant=world.a.tenant, partner_id=world.a.partner1.pk)
    assert [p.user for p in people] == sorted(
        [world.a.partner1_admin, world.a.partner1_rep], key=lambda u: (u.full_name, u.email)
    )


# --- partner portal: the catalogue -------------------------------------------------------------


def test_the_catalogue_shows_your_learning_path_first_with_progress(client, world, sales_path):
    other = training_course_for(world.a.tenant, title="Deploying the platform", track="technical")
    assign(world.a, world.a.partner1_rep, ["sales"])
    pass_course(world.a, sales_path[0], user=world.a.partner1_rep)
    client.force_login(world.a.partner1_rep)

    response = client.get("/p/alpha/training/")

    body = text(response)
    assert response.status_code == 200
    assert body.index("Your learning path") < body.index("Sales 3") < body.index("Sales 1") < body.index("Sales 2")
    assert body.index("Sales 2") < body.index("Other courses") < body.index(other.title)
    assert "1 of 3 done" in body
    assert "Sales draft" not in body
    assert "no learning path yet" not in body
    assert response.content.decode().count("data-course=") == 4  # each course once


def test_a_person_with_no_tracks_sees_every_course_and_a_note_that_their_admin_can_assign_one(client, world, sales_path):
    client.force_login(world.a.partner1_rep)

    body = text(client.get("/p/alpha/training/"))

    assert "your organisation's partner admin can assign you one" in body
    assert "Your learning path" not in body
    assert all(course.title in body for course in sales_path)


# --- partner portal: the team training page ----------------------------------------------------


def test_a_partner_admin_sees_every_person_with_tracks_progress_and_certifications(client, world, sales_path):
    assign(world.a, world.a.partner1_rep, ["sales"])
    set_expiry(world.a, pass_course(world.a, sales_path[0], user=world.a.partner1_rep), 5)
    client.force_login(world.a.partner1_admin)

    response = client.get("/p/alpha/training/team/")

    body = text(response)
    assert response.status_code == 200
    assert world.a.partner1_rep.email in body and world.a.partner1_admin.email in body
    assert world.a.partner2_admin.email not in body  # the other partner's people
    assert "Sales: 1 of 3 done" in body
    assert 'data-certification-status="expiring"' in response.content.decode()
    assert f"Sales 3 · {timezone.localdate() + datetime.timedelta(days=5):%Y-%m-%d}" in body


def test_a_partner_admin_assigns_tracks_from_the_team_page(client, world):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    client.force_login(world.a.partner1_admin)

    response = client.post(f"/p/alpha/training/team/{rep.public_id}/", {"tracks": ["sales", "technical"], "return_to": "team"})

    assert response.status_code == 302 and response["Location"] == "/p/alpha/training/team/"
    assert tracks_of(world.a, world.a.partner1_rep) == ["sales", "technical"]
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.filter(action="training.learner_tracks_set", actor=world.a.partner1_admin).count() == 1


def test_an_unknown_track_posted_is_refused_with_a_message_and_nothing_changes(client, world):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    assign(world.a, world.a.partner1_rep, ["sales"])
    client.force_login(world.a.partner1_admin)

    response = client.post(f"/p/alpha/training/team/{rep.public_id}/", {"tracks": ["marketing"]}, follow=True)

    assert "Unknown track: marketing." in text(response)
    assert tracks_of(world.a, world.a.partner1_rep) == ["sales"]


def test_a_rep_posting_track_changes_is_refused_and_nothing_changes(client, world):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    admin = membership_of(world.a.partner1_admin, world.a.tenant)
    client.force_login(world.a.partner1_rep)

    for membership in (rep, admin):
        response = client.post(f"/p/alpha/training/team/{membership.public_id}/", {"tracks": ["sales"]})
        assert response.status_code == 403

    assert tracks_of(world.a, world.a.partner1_rep) == [] and tracks_of(world.a, world.a.partner1_admin) == []


def test_a_rep_sees_their_own_page_only(client, world, sales_path):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    admin = membership_of(world.a.partner1_admin, world.a.tenant)
    assign(world.a, world.a.partner1_rep, ["sales"])
    client.force_login(world.a.partner1_rep)

    team = client.get("/p/alpha/training/team/")
    own = client.get(f"/p/alpha/training/team/{rep.public_id}/")
    colleague = client.get(f"/p/alpha/training/team/{admin.public_id}/")

    assert (team.status_code, team["Location"]) == (302, f"/p/alpha/training/team/{rep.public_id}/")
    assert own.status_code == 200 and "0 of 3 done" in text(own) and 'name="tracks"' not in own.content.decode()
    assert colleague.status_code == 404


def test_another_partners_admin_can_neither_see_nor_change_our_people(client, world):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    assign(world.a, world.a.partner1_rep, ["sales"])
    client.force_login(world.a.partner2_admin)

    seen = client.get(f"/p/alpha/training/team/{rep.public_id}/")
    changed = client.post(f"/p/alpha/training/team/{rep.public_id}/", {"tracks": ["technical"]})
    team = client.get("/p/alpha/training/team/")

    assert (seen.status_code, changed.status_code) == (404, 404)
    assert world.a.partner1_rep.email not in team.content.decode()
    assert tracks_of(world.a, world.a.partner1_rep) == ["sales"]


def test_a_person_of_another_tenant_is_not_found_and_nothing_changes(client, world):
    # partner1_admin of tenant B is the same kind of person, in another program
    foreign = membership_of(world.b.partner1_rep, world.b.tenant)
    client.force_login(world.a.partner1_admin)

    seen = client.get(f"/p/alpha/training/team/{foreign.public_id}/")
    changed = client.post(f"/p/alpha/training/team/{foreign.public_id}/", {"tracks": ["technical"]})

    assert (seen.status_code, changed.status_code) == (404, 404)
    assert tracks_of(world.b, world.b.partner1_rep) == []


def test_a_partner_scope_reads_no_other_partners_learner_tracks(world):
    assign(world.a, world.a.partner1_rep, ["sales"])
    with tenant_context(world.a.tenant.pk):
        learner_tracks_set(
            tenant=world.a.tenant,
            actor=world.a.partner2_admin,
            partner=world.a.partner2,
            user=world.a.partner2_admin,
            tracks=["admin"],
        )

    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk), connection.cursor() as cursor:
        # raw SQL, so only row-level security stands between partner 2 and partner 1's rows
        cursor.execute("SELECT DISTINCT partner_id FROM onboarding_learnertrack")
        assert [row[0] for row in cursor.fetchall()] == [world.a.partner2.pk]


# --- vendor portal -----------------------------------------------------------------------------


def test_vendor_staff_see_a_partners_team_training_read_only(client, world, sales_path):
    assign(world.a, world.a.partner1_rep, ["sales"])
    pass_course(world.a, sales_path[0], user=world.a.partner1_rep)
    client.force_login(world.a.analyst)

    overview = client.get("/t/alpha/training/")
    response = client.get(f"/t/alpha/training/partners/{world.a.partner1.public_id}/")

    assert f"/t/alpha/training/partners/{world.a.partner1.public_id}/" in overview.content.decode()
    body = text(response)
    assert response.status_code == 200
    assert world.a.partner1_rep.email in body and "Sales: 1 of 3 done" in body
    assert world.a.partner2_admin.email not in body
    assert 'name="tracks"' not in response.content.decode()  # read-only


def test_partner_users_have_no_vendor_team_training_page(client, world):
    client.force_login(world.a.partner1_admin)

    assert client.get(f"/t/alpha/training/partners/{world.a.partner1.public_id}/").status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_the_learner_api_lists_partners_people_with_their_tracks_for_staff(client, world):
    assign(world.a, world.a.partner1_rep, ["technical", "sales"])
    client.force_login(world.a.analyst)

    response = client.get("/api/v1/t/alpha/learners/", {"track": "sales"})

    [row] = response.json()["results"]
    assert (row["email"], row["tracks"], row["partner"]) == (
        world.a.partner1_rep.email,
        ["sales", "technical"],
        str(world.a.partner1.public_id),
    )


def test_a_partner_admin_sets_tracks_through_the_api(client, world):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    client.force_login(world.a.partner1_admin)

    response = client.post(
        f"/api/v1/t/alpha/learners/{rep.public_id}/tracks/", {"tracks": ["admin"]}, content_type="application/json"
    )

    assert (response.status_code, response.json()["tracks"]) == (200, ["admin"])
    assert tracks_of(world.a, world.a.partner1_rep) == ["admin"]


def test_the_api_refuses_an_unknown_track_with_its_field(client, world):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    client.force_login(world.a.partner1_admin)

    response = client.post(
        f"/api/v1/t/alpha/learners/{rep.public_id}/tracks/", {"tracks": ["x"]}, content_type="application/json"
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("unknown_track", "tracks")


@pytest.mark.parametrize(("who", "expected"), [("partner1_rep", 403), ("manager", 403), ("partner2_admin", 404)])
def test_only_the_persons_own_partner_admin_sets_tracks_through_the_api(client, world, who, expected):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    client.force_login(getattr(world.a, who))

    response = client.post(
        f"/api/v1/t/alpha/learners/{rep.public_id}/tracks/", {"tracks": ["sales"]}, content_type="application/json"
    )

    assert response.status_code == expected
    assert tracks_of(world.a, world.a.partner1_rep) == []


def test_a_rep_reads_only_themselves_through_the_api(client, world):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    admin = membership_of(world.a.partner1_admin, world.a.tenant)
    client.force_login(world.a.partner1_rep)

    assert client.get(f"/api/v1/t/alpha/learners/{rep.public_id}/").status_code == 200
    assert client.get(f"/api/v1/t/alpha/learners/{admin.public_id}/").status_code == 404
    assert client.get("/api/v1/t/alpha/learners/").status_code == 404
