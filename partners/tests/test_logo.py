"""Partner logos: checked like every upload, replaced cleanly, and shown only to people who may see the partner."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from onboarding.models import OnboardingStep, OnboardingTemplate, OnboardingTemplateStep
from onboarding.services import plan_create_for_partner
from partners import services
from partners.models import LOGO_MAX_BYTES, PartnerOrganization

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def reload(world, partner=None) -> PartnerOrganization:
    with tenant_context(world.a.tenant.pk):
        return PartnerOrganization.objects.get(pk=(partner or world.a.partner1).pk)


def set_logo(world, content=PNG, name="logo.png", partner=None):
    with tenant_context(world.a.tenant.pk):
        return services.partner_logo_set(
            tenant=world.a.tenant,
            actor=world.a.manager,
            partner=partner or world.a.partner1,
            upload=SimpleUploadedFile(name, content),
        )


def vendor_url(partner, tenant="alpha") -> str:
    return f"/t/{tenant}/partners/{partner.public_id}/logo/"


def partner_url(partner, tenant="alpha") -> str:
    return f"/p/{tenant}/partners/{partner.public_id}/logo/"


# --- the service ---------------------------------------------------------------------------------


def test_a_png_is_stored_under_the_tenants_logos_and_audited(world, media):
    partner = set_logo(world)
    assert partner.logo.name.startswith(f"logos/{world.a.tenant.pk}/") and partner.logo.name.endswith(".png")
    assert stored_files(media) == [partner.logo.name]
    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.get(action="partner.logo_set")
    assert entry.changes == {"logo": "added", "file": "logo.png", "size": len(PNG)}


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("logo.png", b"MZ\x90\x00\x03\x00\x00\x00 an executable", "content_mismatch"),
        ("logo.png", b"<html><script>alert(1)</script></html>", "content_mismatch"),
        ("logo.jpg", PNG, "content_mismatch"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "invalid_extension"),
        ("logo.exe", b"MZ\x90\x00", "invalid_extension"),
    ],
)
def test_files_that_are_not_png_or_jpg_are_refused_and_nothing_is_stored(world, media, name, content, code):
    with pytest.raises(ApplicationError) as error:
        set_logo(world, content=content, name=name)
    assert (error.value.code, error.value.field) == (code, "logo")
    assert not reload(world).logo
    assert stored_files(media) == []


def test_a_logo_over_one_mib_is_refused(world, media):
    with pytest.raises(ApplicationError) as error:
        set_logo(world, content=PNG + b"\x00" * (LOGO_MAX_BYTES - len(PNG) + 1))
    assert error.value.code == "file_too_large"
    assert stored_files(media) == []


def test_replacing_deletes_the_old_file_only_after_the_commit(world, media, django_capture_on_commit_callbacks):
    old = set_logo(world).logo.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = set_logo(world, content=JPG, name="new.jpg").logo.name
    assert new != old and new.endswith(".jpg")
    assert stored_files(media) == sorted([old, new])  # not committed yet: the old file is still there

    for callback in callbacks:
        callback()

    assert stored_files(media) == [new]
    assert reload(world).logo.name == new


def test_a_failed_save_removes_the_new_file_and_keeps_the_old_logo(world, media, monkeypatch):
    old = set_logo(world).logo.name

    def broken_audit(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        set_logo(world, content=JPG, name="new.jpg")

    assert stored_files(media) == [old]
    assert reload(world).logo.name == old


def test_removing_the_logo_deletes_its_file_after_the_commit(world, media, django_capture_on_commit_callbacks):
    set_logo(world)
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.tenant.pk):
        services.partner_logo_remove(tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner1)
    assert not reload(world).logo
    assert stored_files(media) == []


# --- serving it ----------------------------------------------------------------------------------


def assert_served_as_png(response) -> None:
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("role", ["owner", "manager", "analyst"])
def test_staff_see_the_logo_with_safe_headers(client, world, role):
    set_logo(world)
    client.force_login(getattr(world.a, role))
    assert_served_as_png(client.get(vendor_url(world.a.partner1)))


@pytest.mark.parametrize("role", ["partner1_admin", "partner1_rep"])
def test_the_partners_own_users_see_their_logo(client, world, role):
    set_logo(world)
    client.force_login(getattr(world.a, role))
    assert_served_as_png(client.get(partner_url(world.a.partner1)))


def test_a_jpg_is_served_as_jpeg(client, world):
    set_logo(world, content=JPG, name="logo.jpg")
    client.force_login(world.a.manager)
    response = client.get(vendor_url(world.a.partner1))
    assert response["Content-Type"] == "image/jpeg"


def test_another_partners_user_cannot_see_the_logo(client, world):
    set_logo(world)
    client.force_login(world.a.partner2_admin)
    assert client.get(partner_url(world.a.partner1)).status_code == 404
    assert client.get(vendor_url(world.a.partner1)).status_code == 404


def test_another_tenant_cannot_see_the_logo(client, world):
    set_logo(world)
    client.force_login(world.b.owner)
    assert client.get(vendor_url(world.a.partner1)).status_code == 404
    assert client.get(vendor_url(world.a.partner1, tenant="beta")).status_code == 404


def test_a_partner_without_a_logo_answers_404(client, world):
    client.force_login(world.a.manager)
    assert client.get(vendor_url(world.a.partner1)).status_code == 404


def test_the_partners_page_and_the_partner_home_show_the_logo(client, world):
    set_logo(world)
    client.force_login(world.a.manager)
    assert vendor_url(world.a.partner1) in client.get(f"/t/alpha/partners/{world.a.partner1.public_id}/").content.decode()
    client.force_login(world.a.partner1_rep)
    assert partner_url(world.a.partner1) in client.get("/p/alpha/").content.decode()


def test_no_logo_no_image(client, world):
    client.force_login(world.a.manager)
    assert "/logo/" not in client.get(f"/t/alpha/partners/{world.a.partner1.public_id}/").content.decode()


# --- setting it in the portals -------------------------------------------------------------------


def edit(client, partner, **fields):
    values = {"name": partner.name, "partner_type": partner.partner_type, "website_domain": partner.website_domain}
    values.update({"country": "", "status": partner.status, **fields})
    return client.post(f"/t/alpha/partners/{partner.public_id}/edit/", values)


def test_staff_set_and_remove_the_logo_on_the_edit_form(client, world, media):
    client.force_login(world.a.manager)
    assert edit(client, world.a.partner1, logo=SimpleUploadedFile("logo.png", PNG)).status_code == 302
    assert reload(world).logo.name.endswith(".png")

    assert edit(client, world.a.partner1, remove_logo="on").status_code == 302
    assert not reload(world).logo


def test_a_bad_logo_on_the_edit_form_is_shown_and_nothing_changes(client, world, media):
    client.force_login(world.a.manager)
    response = edit(client, world.a.partner1, name="Renamed", logo=SimpleUploadedFile("logo.png", b"<html></html>"))
    assert response.status_code == 400
    assert "is not a .png file" in response.content.decode()
    partner = reload(world)
    assert (partner.name, bool(partner.logo)) == (world.a.partner1.name, False)
    assert stored_files(media) == []


@pytest.fixture
def profile_step(world):
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        template = OnboardingTemplate.objects.create(tenant=tenant, name="Profile only")
        OnboardingTemplateStep.objects.create(tenant=tenant, template=template, position=1, kind="profile", title="Profile")
        plan = plan_create_for_partner(tenant=tenant, actor=None, partner=world.a.partner1)
        return OnboardingStep.objects.get(plan=plan)


def step_status(world, step) -> str:
    with tenant_context(world.a.tenant.pk):
        return OnboardingStep.objects.get(pk=step.pk).status


def test_a_partner_admin_sets_the_logo_on_the_profile_step(client, world, profile_step):
    client.force_login(world.a.partner1_admin)
    response = client.post(
        f"/p/alpha/onboarding/steps/{profile_step.public_id}/",
        {"description": "We resell.", "logo": SimpleUploadedFile("logo.png", PNG)},
    )
    assert response.status_code == 302
    assert reload(world).logo.name.endswith(".png")
    assert step_status(world, profile_step) == "done"


def test_a_bad_logo_on_the_profile_step_leaves_the_profile_and_the_step_alone(client, world, profile_step, media):
    client.force_login(world.a.partner1_admin)
    response = client.post(
        f"/p/alpha/onboarding/steps/{profile_step.public_id}/",
        {"description": "We resell.", "logo": SimpleUploadedFile("logo.png", b"MZ\x90\x00 renamed exe")},
    )
    assert response.status_code == 400
    assert "is not a .png file" in response.content.decode()
    partner = reload(world)
    assert (partner.description, bool(partner.logo)) == ("", False)
    assert step_status(world, profile_step) == "todo"
    assert stored_files(media) == []


def test_a_partner_rep_gets_no_logo_field(client, world, profile_step):
    client.force_login(world.a.partner1_rep)
    assert 'name="logo"' not in client.get(f"/p/alpha/onboarding/steps/{profile_step.public_id}/").content.decode()
    client.post(
        f"/p/alpha/onboarding/steps/{profile_step.public_id}/",
        {"description": "We resell.", "logo": SimpleUploadedFile("logo.png", PNG)},
    )
    assert not reload(world).logo


# --- the API -------------------------------------------------------------------------------------


def api_put(client, partner, content=PNG, name="logo.png", tenant="alpha"):
    body = encode_multipart(BOUNDARY, {"logo": SimpleUploadedFile(name, content)})
    return client.put(f"/api/v1/t/{tenant}/partners/{partner.public_id}/logo/", body, content_type=MULTIPART_CONTENT)


@pytest.mark.parametrize("role", ["manager", "partner1_admin"])
def test_staff_and_the_partners_own_admin_upload_a_logo_through_the_api(client, world, role):
    client.force_login(getattr(world.a, role))
    response = api_put(client, world.a.partner1)
    assert response.status_code == 200
    assert response.json()["has_logo"] is True
    assert reload(world).logo.name.endswith(".png")


def test_the_api_refuses_a_renamed_file_in_the_envelope(client, world, media):
    client.force_login(world.a.manager)
    response = api_put(client, world.a.partner1, content=b"<html></html>")
    assert (response.status_code, response.json()["code"], response.json()["attr"]) == (400, "content_mismatch", "logo")
    assert not reload(world).logo
    assert stored_files(media) == []


@pytest.mark.parametrize(("role", "expected"), [("analyst", 403), ("partner1_rep", 403), ("partner2_admin", 404)])
def test_the_api_refuses_everyone_else_and_nothing_changes(client, world, media, role, expected):
    client.force_login(getattr(world.a, role))
    assert api_put(client, world.a.partner1).status_code == expected
    assert not reload(world).logo
    assert stored_files(media) == []


def test_another_tenant_cannot_upload_through_the_api(client, world, media):
    client.force_login(world.b.owner)
    assert api_put(client, world.a.partner1).status_code == 404
    assert api_put(client, world.a.partner1, tenant="beta").status_code == 404
    assert not reload(world).logo


def test_the_api_removes_a_logo(client, world, media, django_capture_on_commit_callbacks):
    set_logo(world)
    client.force_login(world.a.partner1_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/v1/t/alpha/partners/{world.a.partner1.public_id}/logo/")
    assert response.status_code == 204
    assert not reload(world).logo
    assert stored_files(media) == []
