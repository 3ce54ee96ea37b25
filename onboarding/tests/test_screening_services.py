"""Denied-party screening in the database: upload, screen, block approval, clear, re-screen."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from ecosystem.errors import ApplicationError
from ecosystem.jobs.models import Job
from ecosystem.tenancy.context import tenant_context
from onboarding.models import DeniedParty, MatchStatus, PartnerApplication, ScreeningMatch
from onboarding.screening import ScreeningListInvalid
from onboarding.screening_services import rescreen_everyone, screening_list_upload, screening_match_clear
from onboarding.services import application_approve, application_submit

LIST = (
    "name,aliases,country,program\n"
    "Rostov Arms Trading LLC,Rostov Arms;RAT Export,RU,RUSSIA-EO14024\n"
    "Ocean Star Shipping,,IR,IRAN\n"
    "Banco Delta Asia,,MO,NKSPR\n"
)


def upload(world, text=LIST):
    with tenant_context(world.a.tenant.pk):
        return screening_list_upload(tenant=world.a.tenant, actor=world.a.manager, source=text.encode(), file_name="list.csv")


def apply(world, company, domain, country="DE"):
    with tenant_context(world.a.tenant.pk):
        return application_submit(
            tenant=world.a.tenant,
            company_name=company,
            website_domain=domain,
            partner_type="reseller",
            expected_deal_volume="under_10",
            contact_name="C",
            contact_email=f"c@{domain}",
            country=country,
        ).application


def test_an_upload_replaces_the_list(world):
    upload(world)
    upload(world, "name,country\nOnly One Party,US\n")
    with tenant_context(world.a.tenant.pk):
        assert list(DeniedParty.objects.values_list("name", flat=True)) == ["Only One Party"]


def test_a_list_with_bad_rows_reports_every_row_and_imports_nothing(world):
    upload(world)
    with pytest.raises(ScreeningListInvalid) as error:
        upload(world, "name,country\n,US\nGood Name,Atlantis\nAnother,DE\n")
    assert [(e.row, e.code) for e in error.value.errors] == [(2, "name_required"), (3, "unknown_country")]
    with tenant_context(world.a.tenant.pk):
        assert DeniedParty.objects.count() == 3  # the previous list is untouched


def test_an_applicant_matching_the_list_gets_an_open_match_that_blocks_approval(world):
    upload(world)
    application = apply(world, "Rostov Arms Trading", "rostov-arms.example", country="RU")
    with tenant_context(world.a.tenant.pk):
        match = ScreeningMatch.objects.get(application=application)
        assert match.status == MatchStatus.OPEN
        assert match.listed_name == "Rostov Arms Trading LLC"
        assert match.score >= 85
        with pytest.raises(ApplicationError) as error:
            application_approve(tenant=world.a.tenant, actor=world.a.manager, application=application)
        assert error.value.code == "screening_match_open"
        assert PartnerApplication.objects.get(pk=application.pk).status == "submitted"


def test_an_unrelated_applicant_is_not_matched(world):
    upload(world)
    application = apply(world, "Northwind Cloud Services", "northwind-cloud.example")
    with tenant_context(world.a.tenant.pk):
        assert not ScreeningMatch.objects.filter(application=application).exists()


def test_clearing_needs_a_reason_and_then_approval_goes_ahead(world):
    upload(world)
    application = apply(world, "Ocean Star Shipping", "oceanstar.example", country="IR")
    with tenant_context(world.a.tenant.pk):
        match = ScreeningMatch.objects.get(application=application)
        with pytest.raises(ApplicationError):
            screening_match_clear(tenant=world.a.tenant, actor=world.a.manager, match=match, reason="  ")
        screening_match_clear(
            tenant=world.a.tenant, actor=world.a.manager, match=match, reason="Different company, checked registry"
        )
        partner = application_approve(tenant=world.a.tenant, actor=world.a.manager, application=application)
    assert partner.website_domain == "oceanstar.example"


def test_rescreening_finds_partners_after_a_new_list(world):
    with tenant_context(world.a.tenant.pk):
        world.a.partner2.name = "Banco Delta Asia"
        world.a.partner2.save()
    upload(world)
    with tenant_context(world.a.tenant.pk, atomic=False):
        result = rescreen_everyone(tenant=world.a.tenant)
        again = rescreen_everyone(tenant=world.a.tenant)
    with tenant_context(world.a.tenant.pk):
        assert ScreeningMatch.objects.filter(partner=world.a.partner2).count() == 1
    assert result["new_matches"] == 1
    assert again["new_matches"] == 0  # nothing twice


def test_partner_users_never_see_screening_rows(world):
    upload(world)
    apply(world, "Rostov Arms Trading", "rostov-arms.example", country="RU")
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM onboarding_screeningmatch")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM onboarding_deniedparty")
        assert cursor.fetchone()[0] == 0


def test_the_upload_page_lists_every_bad_row_and_starts_a_rescreen_job(client, world):
    client.force_login(world.a.manager)
    bad = SimpleUploadedFile("bad.csv", b"name,country\n,US\nX Corp,Atlantis\n", content_type="text/csv")
    response = client.post("/t/alpha/screening/", {"file": bad})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in body
    assert "Line 2" in body and "Line 3" in body
    good = SimpleUploadedFile("good.csv", LIST.encode(), content_type="text/csv")
    assert client.post("/t/alpha/screening/", {"file": good}).status_code == 302
    with tenant_context(world.a.tenant.pk):
        assert Job.objects.filter(kind="screening_rescreen").count() == 1
        assert DeniedParty.objects.count() == 3


def test_analysts_see_matches_but_cannot_upload_or_clear(client, world):
    client.force_login(world.a.analyst)
    assert client.get("/t/alpha/screening/").status_code == 200
    good = SimpleUploadedFile("good.csv", LIST.encode(), content_type="text/csv")
    assert client.post("/t/alpha/screening/", {"file": good}).status_code == 403
