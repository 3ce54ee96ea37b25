"""Denied-party screening through the API: the same services as the portal's screening page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.jobs.models import Job
from ecosystem.tenancy.context import tenant_context
from onboarding.models import DeniedParty, MatchStatus, ScreeningList, ScreeningMatch
from onboarding.screening_services import rescreen_everyone, screening_list_upload
from onboarding.services import application_submit
from onboarding.tasks import rescreen_everyone_task

A = "/api/v1/t/alpha"
LIST = (
    "name,aliases,country,program\n"
    "Rostov Arms Trading LLC,Rostov Arms;RAT Export,RU,RUSSIA-EO14024\n"
    "Ocean Star Shipping,,IR,IRAN\n"
    "Banco Delta Asia,,MO,NKSPR\n"
)
BAD = "name,country\n,US\nGood Name,Atlantis\nAnother,DE\n"


def csv(text: str, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def upload_directly(world, tenant_world=None, text: str = LIST) -> ScreeningList:
    tw = tenant_world or world.a
    with tenant_context(tw.tenant.pk):
        return screening_list_upload(tenant=tw.tenant, actor=tw.manager, source=text.encode(), file_name="seed.csv")


def apply(tenant_world, company: str, domain: str, country: str):
    with tenant_context(tenant_world.tenant.pk):
        return application_submit(
            tenant=tenant_world.tenant,
            company_name=company,
            website_domain=domain,
            partner_type="reseller",
            expected_deal_volume="under_10",
            contact_name="C",
            contact_email=f"c@{domain}",
            country=country,
        ).application


@pytest.fixture
def open_match(world) -> ScreeningMatch:
    """An applicant that matches the list: its match is open and blocks approval."""
    upload_directly(world)
    application = apply(world.a, "Ocean Star Shipping", "oceanstar.example", "IR")
    with tenant_context(world.a.tenant.pk):
        return ScreeningMatch.objects.select_related("application").get(application=application)


def listed_names(world) -> list[str]:
    with tenant_context(world.a.tenant.pk):
        return sorted(DeniedParty.objects.values_list("name", flat=True))


def match_status(world, match) -> str:
    with tenant_context(world.a.tenant.pk):
        return ScreeningMatch.objects.get(pk=match.pk).status


def audit(world, action: str) -> list[AuditEntry]:
    with tenant_context(world.a.tenant.pk):
        return list(AuditEntry.objects.filter(action=action))


def key_auth(world, scope: str = "write") -> dict:
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM", scope=scope)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}


# --- upload -------------------------------------------------------------------------------------


def test_a_manager_uploads_a_list_and_everyone_is_screened_again_in_the_background(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(rescreen_everyone_task, "apply_async", lambda args: sent.append(args))
    client.force_login(world.a.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{A}/screening-lists/", {"file": csv(LIST)})

    assert response.status_code == 201
    body = response.json()
    assert (body["file_name"], body["layout"], body["entries"]) == ("list.csv", "columns", 3)
    assert listed_names(world) == ["Banco Delta Asia", "Ocean Star Shipping", "Rostov Arms Trading LLC"]
    with tenant_context(world.a.tenant.pk):
        job = Job.objects.get(public_id=body["rescreen_job"])
        assert ScreeningList.objects.get().public_id.hex == body["id"].replace("-", "")
    assert (job.kind, job.status, job.created_by_id) == ("screening_rescreen", "queued", world.a.manager.pk)
    assert sent == [[world.a.tenant.pk, job.pk]]
    [entry] = audit(world, "screening.list_upload")
    assert (entry.actor_id, entry.changes) == (world.a.manager.pk, {"file": "list.csv", "entries": 3})


def test_a_list_with_bad_rows_answers_400_naming_every_row_and_imports_nothing(client, world):
    upload_directly(world)
    client.force_login(world.a.owner)

    response = client.post(f"{A}/screening-lists/", {"file": csv(BAD, "bad.csv")})

    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("validation_error", "screening_list_invalid", "file")
    assert [(r["row"], r["column"], r["code"]) for r in body["rows"]] == [
        (2, "name", "name_required"),
        (3, "country", "unknown_country"),
    ]
    assert [e["code"] for e in body["errors"]] == ["screening_list_invalid", "name_required", "unknown_country"]
    assert body["errors"][1]["detail"].startswith("Line 2")
    # the previous list is untouched, and no new upload, job or audit row exists
    assert listed_names(world) == ["Banco Delta Asia", "Ocean Star Shipping", "Rostov Arms Trading LLC"]
    with tenant_context(world.a.tenant.pk):
        assert ScreeningList.objects.count() == 1
        assert not Job.objects.filter(kind="screening_rescreen").exists()
    assert len(audit(world, "screening.list_upload")) == 1


def test_an_upload_without_a_file_answers_400_on_file(client, world):
    client.force_login(world.a.manager)
    response = client.post(f"{A}/screening-lists/", {})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("required", "file")
    with tenant_context(world.a.tenant.pk):
        assert not ScreeningList.objects.exists()


def test_an_analyst_may_read_lists_but_not_upload(client, world):
    upload_directly(world)
    client.force_login(world.a.analyst)
    assert [row["file_name"] for row in client.get(f"{A}/screening-lists/").json()["results"]] == ["seed.csv"]
    response = client.post(f"{A}/screening-lists/", {"file": csv("name\nSomeone Else\n")})
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert listed_names(world) == ["Banco Delta Asia", "Ocean Star Shipping", "Rostov Arms Trading LLC"]


def test_an_api_key_uploads_a_list_and_the_record_names_the_key_not_a_person(client, world):
    response = client.post(f"{A}/screening-lists/", {"file": csv(LIST)}, **key_auth(world))

    assert response.status_code == 201
    assert listed_names(world) == ["Banco Delta Asia", "Ocean Star Shipping", "Rostov Arms Trading LLC"]
    with tenant_context(world.a.tenant.pk):
        assert ScreeningList.objects.get().uploaded_by_id is None
    [entry] = audit(world, "screening.list_upload")
    assert entry.actor_label.startswith("API key CRM")


def test_lists_are_newest_first_and_only_this_programs(client, world):
    upload_directly(world, text="name\nFirst Party\n")
    upload_directly(world, text="name\nSecond Party\n")
    upload_directly(world, world.b, text="name\nBeta Party\n")
    client.force_login(world.a.manager)
    results = client.get(f"{A}/screening-lists/").json()["results"]
    assert [r["entries"] for r in results] == [1, 1]
    with tenant_context(world.a.tenant.pk):
        newest = ScreeningList.objects.order_by("-uploaded_at", "-id").first()
    assert results[0]["id"] == str(newest.public_id)


# --- matches -----------------------------------------------------------------------------------------


def test_staff_list_matches_and_filter_them(client, world, open_match):
    with tenant_context(world.a.tenant.pk):
        world.a.partner2.name = "Banco Delta Asia"
        world.a.partner2.save()
    with tenant_context(world.a.tenant.pk, atomic=False):
        rescreen_everyone(tenant=world.a.tenant)
    client.force_login(world.a.analyst)

    everything = client.get(f"{A}/screening-matches/").json()["results"]
    assert {(m["subject"], m["listed_name"]) for m in everything} == {
        ("application", "Ocean Star Shipping"),
        ("partner", "Banco Delta Asia"),
    }
    [partner_match] = client.get(f"{A}/screening-matches/", {"subject": "partner"}).json()["results"]
    assert (partner_match["partner"], partner_match["application"]) == (str(world.a.partner2.public_id), None)
    [by_application] = client.get(f"{A}/screening-matches/", {"application": str(open_match.application.public_id)}).json()[
        "results"
    ]
    assert (by_application["id"], by_application["status"]) == (str(open_match.public_id), "open")
    assert client.get(f"{A}/screening-matches/", {"status": "cleared"}).json()["results"] == []
    assert len(client.get(f"{A}/screening-matches/", {"status": "open"}).json()["results"]) == 2


def test_an_unknown_status_filter_answers_400_naming_the_parameter(client, world):
    client.force_login(world.a.manager)
    response = client.get(f"{A}/screening-matches/", {"status": "ignored"})
    assert (response.status_code, response.json()["code"], response.json()["attr"]) == (400, "invalid_choice", "status")


def test_a_manager_clears_a_match_with_a_reason(client, world, open_match):
    client.force_login(world.a.manager)
    response = client.post(
        f"{A}/screening-matches/{open_match.public_id}/clear/",
        {"reason": "Different company, checked the registry"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["cleared_reason"]) == ("cleared", "Different company, checked the registry")
    assert body["cleared_at"] is not None
    with tenant_context(world.a.tenant.pk):
        cleared = ScreeningMatch.objects.get(pk=open_match.pk)
    assert (cleared.status, cleared.cleared_by_id) == (MatchStatus.CLEARED, world.a.manager.pk)
    [entry] = audit(world, "screening.match_clear")
    assert entry.changes["reason"] == "Different company, checked the registry"
    # and the application may now be approved
    assert client.post(f"{A}/applications/{open_match.application.public_id}/approve/").status_code == 201


@pytest.mark.parametrize("body", [{}, {"reason": "   "}])
def test_clearing_without_a_reason_answers_400_and_the_match_stays_open(client, world, open_match, body):
    client.force_login(world.a.manager)
    response = client.post(f"{A}/screening-matches/{open_match.public_id}/clear/", body, content_type="application/json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("required", "reason")
    assert match_status(world, open_match) == "open"
    assert audit(world, "screening.match_clear") == []


def test_an_analyst_may_not_clear_a_match(client, world, open_match):
    client.force_login(world.a.analyst)
    response = client.post(
        f"{A}/screening-matches/{open_match.public_id}/clear/", {"reason": "Fine"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert match_status(world, open_match) == "open"


def test_cannot_read_or_clear_another_programs_match(client, world, open_match):
    client.force_login(world.b.owner)
    beta = "/api/v1/t/beta"
    assert client.get(f"{beta}/screening-matches/{open_match.public_id}/").status_code == 404
    response = client.post(
        f"{beta}/screening-matches/{open_match.public_id}/clear/", {"reason": "Fine"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.get(f"{beta}/screening-matches/").json()["results"] == []
    assert match_status(world, open_match) == "open"


def test_an_api_key_clears_a_match_and_the_record_names_the_key_not_a_person(client, world, open_match):
    auth = key_auth(world)
    assert client.get(f"{A}/screening-matches/{open_match.public_id}/", **auth).status_code == 200
    response = client.post(
        f"{A}/screening-matches/{open_match.public_id}/clear/", {"reason": "Fine"}, content_type="application/json", **auth
    )

    assert response.status_code == 200
    assert match_status(world, open_match) == "cleared"
    with tenant_context(world.a.tenant.pk):
        assert ScreeningMatch.objects.get(pk=open_match.pk).cleared_by_id is None
    [entry] = audit(world, "screening.match_clear")
    assert entry.actor_label.startswith("API key CRM")


@pytest.mark.parametrize("who", ["partner1_admin", "partner1_rep", "partner2_admin"])
def test_partner_users_get_404_on_all_of_screening(client, world, open_match, who):
    client.force_login(getattr(world.a, who))
    assert client.get(f"{A}/screening-lists/").status_code == 404
    assert client.post(f"{A}/screening-lists/", {"file": csv("name\nSomeone\n")}).status_code == 404
    assert client.get(f"{A}/screening-matches/").status_code == 404
    assert client.get(f"{A}/screening-matches/{open_match.public_id}/").status_code == 404
    response = client.post(
        f"{A}/screening-matches/{open_match.public_id}/clear/", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert match_status(world, open_match) == "open"
    assert listed_names(world) == ["Banco Delta Asia", "Ocean Star Shipping", "Rostov Arms Trading LLC"]
