"""The content library: staff uploads and links, partner visibility by type, the sales-access gate, downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from partners import content
from partners.models import CONTENT_MAX_BYTES, ContentItem, EngagementEvent
from tests.fixtures import onboarding_plan_for

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MISSING_STEPS = ("Sign the partner agreement", "Security questionnaire")  # tests.fixtures.onboarding_plan_for


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def pdf(name: str = "Q3 deck.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def add_file(world, *, partner_types=(), title="Q3 pitch deck", **kwargs) -> ContentItem:
    with tenant_context(world.a.tenant.pk):
        return content.content_create(
            tenant=world.a.tenant,
            actor=world.a.manager,
            title=title,
            kind="file",
            file=pdf(),
            partner_types=list(partner_types),
            **kwargs,
        )


def add_link(world, *, partner_types=(), title="Battlecard", url="https://alpha.example/battlecard") -> ContentItem:
    with tenant_context(world.a.tenant.pk):
        return content.content_create(
            tenant=world.a.tenant, actor=world.a.manager, title=title, kind="link", url=url, partner_types=list(partner_types)
        )


def downloads(world, partner) -> list[EngagementEvent]:
    with tenant_context(world.a.tenant.pk):
        return list(EngagementEvent.objects.filter(partner=partner, kind="content_download"))


# --- services --------------------------------------------------------------------------------------


def test_creating_a_file_item_stores_it_privately_under_the_tenant_and_keeps_the_original_name(world, media_root):
    item = add_file(world, partner_types=["reseller"])
    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.get(action="content.create")
    assert item.original_filename == "Q3 deck.pdf"
    assert item.file_size == len(PDF)
    assert item.file.name.startswith(f"content/{world.a.tenant.pk}/") and item.file.name.endswith(".pdf")
    assert "Q3 deck" not in item.file.name
    assert (media_root / item.file.name).read_bytes() == PDF
    assert entry.object_id == str(item.public_id) and entry.actor_id == world.a.manager.pk


def test_the_download_service_refuses_while_onboarding_is_incomplete_and_counts_nothing(world):
    item = add_file(world)
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        content.content_download(tenant=world.a.tenant, partner_id=world.a.partner1.pk, user=world.a.partner1_admin, item=item)
    assert error.value.code == "onboarding_incomplete"
    assert all(step in error.value.message for step in MISSING_STEPS)
    assert downloads(world, world.a.partner1) == []


def test_partners_see_published_items_for_their_type_and_items_for_every_type(world):
    for_resellers = add_link(world, title="Reseller price list", partner_types=["reseller"])
    for_msps = add_link(world, title="MSP runbook", partner_types=["msp"])
    for_everyone = add_link(world, title="Brand guide")
    withdrawn = add_link(world, title="Old deck")
    with tenant_context(world.a.tenant.pk):
        content.content_unpublish(tenant=world.a.tenant, actor=world.a.manager, item=withdrawn)
        reseller_sees = set(content.content_for_partner(tenant=world.a.tenant, partner=world.a.partner1))
        msp_sees = set(content.content_for_partner(tenant=world.a.tenant, partner=world.a.partner2))
    assert reseller_sees == {for_resellers, for_everyone}
    assert msp_sees == {for_msps, for_everyone}


def test_the_download_service_treats_an_item_for_another_type_as_missing(world):
    item = add_link(world, partner_types=["reseller"])
    with tenant_context(world.a.tenant.pk), pytest.raises(NotFoundError):
        content.content_download(tenant=world.a.tenant, partner_id=world.a.partner2.pk, user=world.a.partner2_admin, item=item)
    assert downloads(world, world.a.partner2) == []


def test_a_download_is_recorded_as_engagement(world):
    item = add_file(world)
    with tenant_context(world.a.tenant.pk):
        delivery = content.content_download(
            tenant=world.a.tenant, partner_id=world.a.partner1.pk, user=world.a.partner1_rep, item=item
        )
        delivery.file.close()
    [event] = downloads(world, world.a.partner1)
    assert event.user_id == world.a.partner1_rep.pk
    assert event.data == {"item": str(item.public_id), "title": "Q3 pitch deck", "kind": "file"}


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("tool.exe", lambda: b"MZ\x90\x00", "invalid_extension"),
        ("notes", lambda: PDF, "invalid_extension"),
        ("page.pdf", lambda: b"<html><script>alert(1)</script></html>", "content_mismatch"),
        ("empty.pdf", lambda: b"", "empty_file"),
        ("huge.pdf", lambda: b"%PDF-" + b"0" * (CONTENT_MAX_BYTES - 4), "file_too_large"),  # one byte too many
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(world, media_root, name, data, code):
    upload = SimpleUploadedFile(name, data())
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        content.content_create(tenant=world.a.tenant, actor=world.a.manager, title="Bad", kind="file", file=upload)
    with tenant_context(world.a.tenant.pk):
        assert not ContentItem.objects.exists()
        assert not AuditEntry.objects.filter(action="content.create").exists()
    assert (error.value.code, error.value.field) == (code, "file")
    assert stored_files(media_root) == []


def test_a_file_written_before_the_transaction_fails_is_removed_again(world, media_root, monkeypatch):
    def failing_audit(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(content, "audit_record", failing_audit)
    with tenant_context(world.a.tenant.pk), pytest.raises(RuntimeError):
        content.content_create(tenant=world.a.tenant, actor=world.a.manager, title="Deck", kind="file", file=pdf())
    assert stored_files(media_root) == []


def stored_zip_of_exactly(size: int) -> bytes:
    """A real zip (check_upload reads its directory) of exactly ``size`` bytes: one stored entry."""
    import io
    import zipfile

    def build(payload: bytes) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("big.bin", payload)
        return buffer.getvalue()

    return build(b"\xa5" * (size - len(build(b""))))  # stored, so ratio 1:1


def test_a_file_of_exactly_25_mib_is_accepted(world):
    with tenant_context(world.a.tenant.pk):
        item = content.content_create(
            tenant=world.a.tenant,
            actor=world.a.manager,
            title="Big but fine",
            kind="file",
            file=SimpleUploadedFile("big.zip", stored_zip_of_exactly(CONTENT_MAX_BYTES)),
        )
    assert item.file_size == CONTENT_MAX_BYTES


@pytest.mark.parametrize(
    "url", ["http://alpha.example/deck", "javascript:alert(1)", "//alpha.example/deck", "ftp://alpha.example/x", ""]
)
def test_links_must_be_https(world, url):
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        content.content_create(tenant=world.a.tenant, actor=world.a.manager, title="Link", kind="link", url=url)
    assert error.value.field == "url"


def test_the_database_refuses_a_link_that_is_not_https_whatever_writes_it(world):
    with tenant_context(world.a.tenant.pk), pytest.raises(IntegrityError), transaction.atomic():
        ContentItem.objects.create(tenant=world.a.tenant, title="Sneaky", kind="link", url="http://alpha.example/")


def test_replacing_a_file_deletes_the_old_one_after_the_commit(world, media_root, django_capture_on_commit_callbacks):
    item = add_file(world)
    old = media_root / item.file.name
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.tenant.pk):
        updated = content.content_update(
            tenant=world.a.tenant, actor=world.a.manager, item=item, file=pdf("Q4 deck.pdf", PDF + b"%v2\n")
        )
    assert not old.exists()
    assert (media_root / updated.file.name).read_bytes() == PDF + b"%v2\n"
    assert updated.original_filename == "Q4 deck.pdf"


# --- vendor portal -------------------------------------------------------------------------------


def test_a_manager_uploads_a_file_through_the_portal(client, world, media_root):
    client.force_login(world.a.manager)
    response = client.post(
        "/t/alpha/content/new/",
        {
            "title": "Q3 pitch deck",
            "kind": "file",
            "url": "",
            "partner_types": ["reseller", "si"],
            "is_published": "on",
            "file": pdf(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/t/alpha/content/"
    with tenant_context(world.a.tenant.pk):
        item = ContentItem.objects.get()
    assert (item.title, item.partner_types, item.original_filename) == ("Q3 pitch deck", ["reseller", "si"], "Q3 deck.pdf")
    assert len(stored_files(media_root)) == 1
    assert "Q3 pitch deck" in client.get("/t/alpha/content/").content.decode()


def test_a_bad_extension_is_a_field_error_that_keeps_the_input_and_stores_nothing(client, world, media_root):
    client.force_login(world.a.manager)
    response = client.post(
        "/t/alpha/content/new/",
        {"title": "Kept title", "description": "Kept words", "kind": "file", "file": SimpleUploadedFile("run.sh", b"#!/bin/sh")},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Upload one of these file types: pdf, pptx, docx, xlsx, png, jpg, zip." in body
    assert 'value="Kept title"' in body and "Kept words" in body
    with tenant_context(world.a.tenant.pk):
        assert not ContentItem.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_25_mib_is_a_field_error_and_stores_nothing(client, world, media_root):
    client.force_login(world.a.manager)
    too_big = SimpleUploadedFile("huge.pdf", b"%PDF-" + b"0" * CONTENT_MAX_BYTES)
    response = client.post("/t/alpha/content/new/", {"title": "Huge", "kind": "file", "file": too_big})
    assert response.status_code == 400
    assert "The file is too big: at most 25 MiB." in response.content.decode()
    with tenant_context(world.a.tenant.pk):
        assert not ContentItem.objects.exists()
    assert stored_files(media_root) == []


def test_an_http_link_is_a_field_error(client, world):
    client.force_login(world.a.manager)
    response = client.post("/t/alpha/content/new/", {"title": "Deck", "kind": "link", "url": "http://alpha.example/deck"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter a full https:// address" in body and 'value="http://alpha.example/deck"' in body


def test_editing_and_unpublishing_an_item(client, world):
    item = add_link(world, partner_types=["reseller"])
    client.force_login(world.a.manager)
    form = client.get(f"/t/alpha/content/{item.public_id}/edit/").content.decode()
    assert 'value="https://alpha.example/battlecard"' in form and 'name="kind"' not in form
    response = client.post(
        f"/t/alpha/content/{item.public_id}/edit/",
        {"title": "Battlecard v2", "url": "https://alpha.example/v2", "partner_types": ["msp"], "is_published": "on"},
    )
    assert response.status_code == 302
    assert client.post(f"/t/alpha/content/{item.public_id}/unpublish/").status_code == 302
    with tenant_context(world.a.tenant.pk):
        item.refresh_from_db()
        actions = list(AuditEntry.objects.filter(object_id=str(item.public_id)).order_by("id").values_list("action", flat=True))
    assert (item.title, item.url, item.partner_types, item.is_published) == (
        "Battlecard v2",
        "https://alpha.example/v2",
        ["msp"],
        False,
    )
    assert actions == ["content.create", "content.update", "content.unpublish"]


def test_an_analyst_reads_the_library_but_may_not_change_it(client, world):
    item = add_link(world)
    client.force_login(world.a.analyst)
    assert client.get("/t/alpha/content/").status_code == 200
    assert client.post("/t/alpha/content/new/", {"title": "Nope", "kind": "link", "url": "https://x.example/"}).status_code == 403
    assert client.post(f"/t/alpha/content/{item.public_id}/unpublish/").status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert list(ContentItem.objects.values_list("title", "is_published")) == [("Battlecard", True)]


def test_cannot_access_other_tenants_content_from_own_tenant(client, world):
    item = add_link(world)
    client.force_login(world.b.manager)
    assert client.get("/t/alpha/content/").status_code == 404
    assert client.get(f"/t/beta/content/{item.public_id}/edit/").status_code == 404
    assert client.post(f"/t/beta/content/{item.public_id}/unpublish/").status_code == 404
    with tenant_context(world.a.tenant.pk):
        item.refresh_from_db()
    assert item.is_published


def test_stored_files_have_no_public_address(client, world):
    item = add_file(world)
    client.force_login(world.a.manager)
    assert client.get(f"/{item.file.name}").status_code == 404
    assert client.get(f"/media/{item.file.name}").status_code == 404
    assert item.file.name not in client.get("/t/alpha/content/").content.decode()


# --- partner portal ------------------------------------------------------------------------------


def test_a_partner_downloads_a_file_as_an_attachment_and_it_counts_as_engagement(client, world):
    item = add_file(world, partner_types=["reseller"])
    client.force_login(world.a.partner1_admin)
    response = client.get(f"/p/alpha/content/{item.public_id}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Q3 deck.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF  # the test client closes the file once it is read
    [event] = downloads(world, world.a.partner1)
    assert event.user_id == world.a.partner1_admin.pk


def test_a_link_item_redirects_to_its_https_address(client, world):
    item = add_link(world, url="https://alpha.example/battlecard?v=2")
    client.force_login(world.a.partner2_admin)
    response = client.get(f"/p/alpha/content/{item.public_id}/download/")
    assert response.status_code == 302
    assert response["Location"] == "https://alpha.example/battlecard?v=2"
    assert len(downloads(world, world.a.partner2)) == 1


def test_a_partner_cannot_download_an_item_meant_for_another_partner_type(client, world):
    item = add_file(world, partner_types=["reseller"])
    client.force_login(world.a.partner2_admin)  # an MSP
    response = client.get(f"/p/alpha/content/{item.public_id}/download/")
    assert response.status_code == 404
    assert "Q3 pitch deck" not in client.get("/p/alpha/content/").content.decode()
    assert downloads(world, world.a.partner2) == []


def test_an_unpublished_item_is_gone_for_partners(client, world):
    item = add_link(world)
    with tenant_context(world.a.tenant.pk):
        content.content_unpublish(tenant=world.a.tenant, actor=world.a.manager, item=item)
    client.force_login(world.a.partner1_admin)
    assert client.get(f"/p/alpha/content/{item.public_id}/download/").status_code == 404


def test_the_gate_closes_the_download_view_with_a_403_naming_the_missing_steps(client, world):
    item = add_file(world, partner_types=["reseller"])
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_rep)
    response = client.get(f"/p/alpha/content/{item.public_id}/download/")
    body = response.content.decode()
    assert response.status_code == 403
    assert all(step in body for step in MISSING_STEPS)
    assert PDF.decode() not in body
    assert downloads(world, world.a.partner1) == []


def test_the_content_page_lists_the_missing_steps_instead_of_the_items_while_the_gate_is_closed(client, world):
    add_file(world, partner_types=["reseller"])
    onboarding_plan_for(world.a.tenant, world.a.partner1)
    client.force_login(world.a.partner1_admin)
    body = client.get("/p/alpha/content/").content.decode()
    assert all(step in body for step in MISSING_STEPS)
    assert "Q3 pitch deck" not in body


def test_the_content_page_lists_the_items_for_the_partners_type(client, world):
    add_link(world, title="Reseller price list", partner_types=["reseller"])
    add_link(world, title="MSP runbook", partner_types=["msp"])
    client.force_login(world.a.partner1_admin)
    body = client.get("/p/alpha/content/").content.decode()
    assert "Reseller price list" in body and "MSP runbook" not in body


def test_vendor_staff_have_no_partner_content_pages(client, world):
    item = add_link(world)
    client.force_login(world.a.owner)
    assert client.get("/p/alpha/content/").status_code == 404
    assert client.get(f"/p/alpha/content/{item.public_id}/download/").status_code == 404


# --- API -----------------------------------------------------------------------------------------


def test_the_api_lists_the_library_for_staff_and_filters_by_partner_type(client, world):
    for_resellers = add_link(world, title="Reseller price list", partner_types=["reseller"])
    add_link(world, title="MSP runbook", partner_types=["msp"])
    everyone = add_link(world, title="Brand guide")
    client.force_login(world.a.analyst)
    rows = client.get("/api/v1/t/alpha/content/", {"partner_type": "reseller"}).json()["results"]
    assert [row["id"] for row in rows] == [str(everyone.public_id), str(for_resellers.public_id)]
    assert "file" not in rows[0]


def test_partner_users_do_not_reach_the_content_api(client, world):
    item = add_link(world)
    client.force_login(world.a.partner1_admin)
    assert client.get("/api/v1/t/alpha/content/").status_code == 404
    assert client.get(f"/api/v1/t/alpha/content/{item.public_id}/").status_code == 404


# --- visibility by tier ------------------------------------------------------------------------------


def tiers_of(world):
    """Silver (rank 1) and Gold (rank 2); partner1 is Silver, partner2 has no tier."""
    from partners.models import PartnerOrganization, Tier

    with tenant_context(world.a.tenant.pk):
        silver = Tier.objects.create(tenant=world.a.tenant, name="Silver", rank=1)
        gold = Tier.objects.create(tenant=world.a.tenant, name="Gold", rank=2)
        PartnerOrganization.objects.filter(pk=world.a.partner1.pk).update(tier=silver)
        world.a.partner1.refresh_from_db()
        world.a.partner2.refresh_from_db()
    return silver, gold


def add_tiered_link(world, title, min_tier):
    with tenant_context(world.a.tenant.pk):
        return content.content_create(
            tenant=world.a.tenant, actor=world.a.manager, title=title, kind="link", url="https://a.example/x", min_tier=min_tier
        )


def test_partners_see_items_up_to_their_tier_and_partners_without_a_tier_only_items_for_everyone(world):
    silver, gold = tiers_of(world)
    everyone = add_tiered_link(world, "Brand guide", None)
    silver_up = add_tiered_link(world, "Silver playbook", silver)
    gold_only = add_tiered_link(world, "Gold pricing", gold)

    with tenant_context(world.a.tenant.pk):
        silver_sees = set(content.content_for_partner(tenant=world.a.tenant, partner=world.a.partner1))
        untiered_sees = set(content.content_for_partner(tenant=world.a.tenant, partner=world.a.partner2))

    assert silver_sees == {everyone, silver_up}
    assert untiered_sees == {everyone}
    assert gold_only not in silver_sees


def test_the_download_service_treats_an_item_above_the_partners_tier_as_missing(world):
    _silver, gold = tiers_of(world)
    item = add_tiered_link(world, "Gold pricing", gold)

    with tenant_context(world.a.tenant.pk), pytest.raises(NotFoundError):
        content.content_download(tenant=world.a.tenant, partner_id=world.a.partner1.pk, user=world.a.partner1_admin, item=item)

    assert downloads(world, world.a.partner1) == []


def test_a_tier_upgrade_opens_the_items_of_the_new_tier(client, world):
    from partners.models import PartnerOrganization

    _silver, gold = tiers_of(world)
    item = add_tiered_link(world, "Gold pricing", gold)
    client.force_login(world.a.partner1_admin)
    before = client.get(f"/p/alpha/content/{item.public_id}/download/")

    with tenant_context(world.a.tenant.pk):
        PartnerOrganization.objects.filter(pk=world.a.partner1.pk).update(tier=gold)
    after = client.get(f"/p/alpha/content/{item.public_id}/download/")

    assert before.status_code == 404
    assert after.status_code == 302 and after["Location"] == "https://a.example/x"


def test_another_tenants_tier_is_refused_and_nothing_is_stored(world):
    from partners.models import Tier

    with tenant_context(world.b.tenant.pk):
        foreign = Tier.objects.create(tenant=world.b.tenant, name="Their gold", rank=2)

    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as refused:
        content.content_create(
            tenant=world.a.tenant, actor=world.a.manager, title="X", kind="link", url="https://a.example/x", min_tier=foreign
        )

    assert (refused.value.code, refused.value.field) == ("invalid_choice", "min_tier")
    with tenant_context(world.a.tenant.pk):
        assert not ContentItem.objects.filter(tenant=world.a.tenant).exists()


def test_a_manager_sets_the_lowest_tier_in_the_portal_and_it_is_audited(client, world):
    _silver, gold = tiers_of(world)
    item = add_link(world)
    client.force_login(world.a.manager)

    form = client.get(f"/t/alpha/content/{item.public_id}/edit/").content.decode()
    response = client.post(
        f"/t/alpha/content/{item.public_id}/edit/",
        {"title": item.title, "url": item.url, "min_tier": str(gold.public_id), "is_published": "on"},
    )
    listing = client.get("/t/alpha/content/").content.decode()

    assert "Gold" in form and "Every partner, whatever its tier" in form
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        item.refresh_from_db()
        entry = AuditEntry.objects.filter(action="content.update", object_id=str(item.public_id)).get()
    assert item.min_tier_id == gold.pk
    assert entry.changes["min_tier"] == [None, "Gold"]
    assert "Gold and above" in listing


def test_a_tier_that_is_not_offered_is_a_field_error_that_keeps_the_input(client, world):
    tiers_of(world)
    client.force_login(world.a.manager)

    response = client.post(
        "/t/alpha/content/new/",
        {"title": "Gold pricing", "kind": "link", "url": "https://a.example/x", "min_tier": "not-a-tier"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Gold pricing" in body and "Select a valid choice" in body
    with tenant_context(world.a.tenant.pk):
        assert not ContentItem.objects.filter(tenant=world.a.tenant).exists()


def test_the_api_names_each_items_lowest_tier(client, world):
    _silver, gold = tiers_of(world)
    gold_only = add_tiered_link(world, "Gold pricing", gold)
    everyone = add_tiered_link(world, "Brand guide", None)
    client.force_login(world.a.analyst)

    rows = {row["id"]: row for row in client.get("/api/v1/t/alpha/content/").json()["results"]}

    assert rows[str(gold_only.public_id)]["min_tier"] == "Gold"
    assert rows[str(everyone.public_id)]["min_tier"] is None


def test_the_tier_page_counts_the_content_a_tier_opens(client, world):
    silver, gold = tiers_of(world)
    add_tiered_link(world, "Silver playbook", silver)
    add_tiered_link(world, "Gold pricing", gold)
    add_tiered_link(world, "Gold roadmap", gold)
    add_tiered_link(world, "Brand guide", None)
    client.force_login(world.a.partner1_admin)

    body = " ".join(client.get("/p/alpha/tier/").content.decode().split())

    assert "1 sales content item reserved to your tier and above" in body
    assert "Gold opens 2 more sales content items." in body
