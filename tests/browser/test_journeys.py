"""The main journeys, in a real browser, against the demo data that `make run` seeds.

Each step that a person would look at is saved as a screenshot in test-output/screenshots/; the
user documentation in docs/ uses some of them.
"""

from __future__ import annotations

import csv
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.audit.models import AuditEntry
from ecosystem.portal.management.commands.seed_demo import DEMO_PASSWORD
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_PATH = re.compile(r"/t/acme/partners/[0-9a-f-]{36}/$")


@pytest.fixture
def acme(transactional_db) -> Tenant:
    """The demo tenant, seeded exactly as `make run` seeds it (committed: the live server must see it)."""
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def log_in_to_admin(page) -> None:
    response = page.goto("/admin/")
    assert response.status == 200
    assert "/accounts/login/?next=/admin/" in page.url.replace("%2F", "/")  # admin signs in through allauth
    page.fill("input[name=login]", "operator@platform.example")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/admin/")


def fill_partner_form(page, *, name: str, partner_type: str, domain: str, country: str, status: str) -> None:
    page.fill("#id_name", name)
    page.select_option("#id_partner_type", partner_type)
    page.fill("#id_website_domain", domain)
    page.select_option("#id_country", country)
    page.select_option("#id_status", status)


@pytest.fixture
def no_tasks_left_behind():
    """The recount button really enqueues; no worker runs here, so empty this run's queue afterwards."""
    yield
    from ecosystem.celery import app

    app.control.purge()


def test_partner_manager_journey(page, acme, screenshot, no_tasks_left_behind) -> None:
    with tenant_context(acme.pk):
        partners_in_db = PartnerOrganization.objects.filter(tenant=acme).count()
    assert partners_in_db > 0

    log_in(page, "manager@acme.example")
    assert page.url.endswith("/t/acme/")
    assert page.get_by_test_id("partners-total").inner_text() == str(partners_in_db)
    assert page.evaluate("() => !!Chart.getChart('by-type-chart')"), "the Chart.js chart did not render"
    screenshot(page, "01-manager-dashboard")

    # The background recount: the progress bar appears (no worker here, so it stays queued).
    page.get_by_role("button", name="Recount in the background").click()
    progress = page.locator("#job-progress [data-job-status]")
    progress.wait_for()
    assert progress.get_attribute("data-job-status") == "queued"
    expect(page.locator("#job-progress .progress")).to_be_visible()
    screenshot(page, "02-manager-recount-queued")

    page.locator("nav.navbar").get_by_role("link", name="Partners").click()
    page.wait_for_url("**/t/acme/partners/")
    expect(page.get_by_text(f"{partners_in_db} partners")).to_be_visible()
    screenshot(page, "03-partner-list")

    page.get_by_role("link", name="Add partner").click()
    page.wait_for_url("**/t/acme/partners/new/")
    fill_partner_form(
        page, name="Zephyr Cloud Partners", partner_type="msp", domain="not a domain", country="DE", status="onboarding"
    )
    page.get_by_role("button", name="Add partner").click()
    error = page.locator("#id_website_domain ~ .invalid-feedback")
    expect(error).to_have_text("Enter a website domain such as example.com.")
    assert page.url.endswith("/t/acme/partners/new/")  # the form came back with its errors
    assert "is-invalid" in (page.locator("#id_website_domain").get_attribute("class") or "")
    assert page.input_value("#id_name") == "Zephyr Cloud Partners"
    assert page.input_value("#id_partner_type") == "msp"
    assert page.input_value("#id_country") == "DE"
    assert page.input_value("#id_status") == "onboarding"
    screenshot(page, "04-partner-form-error")

    page.fill("#id_website_domain", "https://www.Zephyr-Cloud.example/about")
    page.get_by_role("button", name="Add partner").click()
    page.wait_for_url(PARTNER_PATH)
    assert page.locator("h1").inner_text() == "Zephyr Cloud Partners"
    expect(page.get_by_role("alert").filter(has_text="Zephyr Cloud Partners was added.")).to_be_visible()
    expect(page.locator("dd", has_text="zephyr-cloud.example")).to_be_visible()  # normalised
    screenshot(page, "05-partner-created")

    page.locator("nav.navbar").get_by_role("link", name="Partners").click()
    page.wait_for_url("**/t/acme/partners/")
    page.locator("#id_q").press_sequentially("zephyr")  # HTMX swaps the results as you type
    expect(page.get_by_text("1 partner", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/t/acme/partners/\?(.*&)?q=zephyr"))  # hx-push-url: the filter is linkable
    rows = page.locator("#partner-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zephyr Cloud Partners")
    screenshot(page, "06-partner-list-filtered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename == "partners-acme.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert [row["name"] for row in exported] == ["Zephyr Cloud Partners"]
    assert exported[0]["website_domain"] == "zephyr-cloud.example"

    with tenant_context(acme.pk):
        assert PartnerOrganization.objects.filter(tenant=acme).count() == partners_in_db + 1


def test_partner_user_sees_partner_portal_only(page, acme, screenshot) -> None:
    log_in(page, "admin@northwind.example")
    # Nora works with two vendors (the demo's Acme and Globex), so she picks a program first.
    assert page.locator("h1").inner_text() == "Choose a program"
    page.get_by_role("link", name=re.compile("Acme Cloud")).click()
    page.wait_for_url("**/p/acme/")
    assert page.locator("h1").inner_text() == "Welcome, Northwind Traders"
    assert page.locator(".navbar-brand").inner_text().startswith("Acme Cloud")
    expect(page.locator("nav.navbar .badge", has_text="Partner portal")).to_be_visible()
    expect(page.locator("nav.navbar").get_by_role("link", name="Partners")).to_have_count(0)
    screenshot(page, "07-partner-portal-home")

    page.locator("nav.navbar").get_by_role("link", name="Our team").click()
    page.wait_for_url("**/p/acme/team/")
    page.fill("#id_email", "new.rep@northwind.example")
    page.select_option("#id_role", "partner_rep")
    page.get_by_role("button", name="Send invitation").click()  # posts, then redirects back to the team page
    expect(page.get_by_role("alert").filter(has_text="Invitation sent to new.rep@northwind.example.")).to_be_visible()
    expect(page.locator("tbody tr", has_text="new.rep@northwind.example")).to_be_visible()
    screenshot(page, "08-partner-team-invited")

    response = page.goto("/t/acme/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "We could not find that page"
    assert page.locator("body").inner_text().count("Northwind Traders") == 0
    screenshot(page, "09-partner-user-vendor-portal-404")

    response = page.goto("/t/acme/partners/")
    assert response.status == 404


def test_owner_api_key_shown_once_and_audit_log(page, browser, live_server, acme, screenshot) -> None:
    log_in(page, "owner@acme.example")
    assert page.url.endswith("/t/acme/")

    page.goto("/t/acme/partners/new/")
    fill_partner_form(
        page, name="Audit Trail Ltd", partner_type="reseller", domain="audit-trail.example", country="GB", status="prospect"
    )
    page.get_by_role("button", name="Add partner").click()
    page.wait_for_url(PARTNER_PATH)

    page.locator("nav.navbar").get_by_role("button", name="Program").click()
    page.locator("nav.navbar").get_by_role("link", name="API keys").click()
    page.wait_for_url("**/t/acme/api-keys/")
    page.fill("#id_name", "CRM sync")
    page.select_option("#id_scope", "read")
    page.get_by_role("button", name="Create key").click()
    shown = page.get_by_test_id("new-api-key")
    expect(shown).to_contain_text("It will not be shown again.")
    key = shown.locator(".key-once").inner_text().strip()
    match = re.fullmatch(r"prm_([A-Za-z0-9]+)_(\S+)", key)
    assert match, key
    assert page.locator("tbody tr", has_text="CRM sync").locator("code").inner_text() == f"prm_{match[1]}_…"
    screenshot(page, "10-api-key-created")

    # The key works against the API, from a client that has no session ...
    api = browser.new_context(base_url=live_server.url)
    try:
        answer = api.request.get("/api/v1/t/acme/partners/?q=audit-trail", headers={"Authorization": f"Bearer {key}"})
        assert answer.status == 200, answer.text()
        assert [p["name"] for p in answer.json()["results"]] == ["Audit Trail Ltd"]
    finally:
        api.close()

    # ... and is never shown again.
    page.goto("/t/acme/api-keys/")
    assert page.get_by_test_id("new-api-key").count() == 0
    assert key not in page.content()
    assert match[2] not in page.content()

    page.locator("nav.navbar").get_by_role("button", name="Program").click()
    page.locator("nav.navbar").get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/t/acme/audit/")
    page.fill("input[name=action]", "partner.create")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/t/acme/audit/?action=partner.create*")
    newest = page.locator("tbody tr").first
    assert "Audit Trail Ltd" in newest.inner_text()
    assert "owner@acme.example" in newest.inner_text()
    assert "partner.create" in newest.inner_text()
    with tenant_context(acme.pk):
        entry = AuditEntry.objects.filter(action="partner.create", object_repr="Audit Trail Ltd").get()
    assert entry.actor.email == "owner@acme.example"
    screenshot(page, "11-audit-log")

    page.goto("/t/acme/audit/")
    assert page.locator("tbody tr", has_text="api_key.create").filter(has_text="CRM sync").count() == 1


def _bootstrap_is_applied(page) -> dict:
    return page.evaluate(
        """() => {
            const link = [...document.styleSheets].find(s => (s.href || '').includes('/static/vendor/bootstrap-5.3.9/css/bootstrap.min.css'));
            const navbar = document.querySelector('nav.navbar');
            const button = document.querySelector('main .btn-primary');
            return {
                rules: link ? link.cssRules.length : 0,
                navbarBackground: getComputedStyle(navbar).backgroundColor,
                navbarDisplay: getComputedStyle(navbar).display,
                buttonBackground: button ? getComputedStyle(button).backgroundColor : null,
                bodyFont: getComputedStyle(document.body).fontFamily,
            };
        }"""
    )


def _assert_styled(styles: dict) -> None:
    assert styles["rules"] > 100, "bootstrap.min.css did not load"
    assert styles["navbarBackground"] not in ("", "transparent", "rgba(0, 0, 0, 0)")
    assert styles["navbarDisplay"] == "flex"  # .navbar is a flex container in Bootstrap
    assert styles["buttonBackground"] == "rgb(13, 110, 253)"  # Bootstrap 5's primary blue
    assert "system-ui" in styles["bodyFont"]


def test_error_and_login_pages_are_styled(page, live_server, screenshot) -> None:
    stylesheets = {}
    page.on("response", lambda r: stylesheets.__setitem__(r.url, r.status) if r.url.endswith(".css") else None)

    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "We could not find that page"
    _assert_styled(_bootstrap_is_applied(page))
    screenshot(page, "12-not-found")

    response = page.goto("/accounts/login/")
    assert response.status == 200
    _assert_styled(_bootstrap_is_applied(page))
    for name in ("login", "password"):  # Bootstrap fields, not Django's bare form.as_p
        field = page.locator(f"main input[name={name}]")
        expect(field).to_have_class(re.compile(r"\bform-control\b"))
        expect(page.locator(f"main label[for='{field.get_attribute('id')}']")).to_have_class(re.compile(r"\bform-label\b"))
    screenshot(page, "13-login")

    page.fill("input[name=login]", "nobody@acme.example")
    page.fill("input[name=password]", "not-the-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .alert-danger")).to_contain_text("not correct")
    assert page.input_value("input[name=login]") == "nobody@acme.example"
    assert page.input_value("input[name=password]") == ""  # a password is never sent back

    # Every allauth form goes through the same Bootstrap field element, not Django's bare form.as_p.
    for path, name in (("/accounts/signup/", "14-signup"), ("/accounts/password/reset/", "15-password-reset")):
        assert page.goto(path).status == 200
        inputs = page.locator("main form input:not([type=hidden]):not([type=checkbox])")
        assert inputs.count() > 0
        for index in range(inputs.count()):
            expect(inputs.nth(index)).to_have_class(re.compile(r"\bform-control\b"))
        screenshot(page, name)

    assert stylesheets, "no stylesheet was requested"
    assert all(status == 200 for status in stylesheets.values()), stylesheets


@pytest.mark.django_db(transaction=True, databases=["default", "platform"])  # Django admin reads through "platform"
def test_operator_creates_a_tenant_and_looks_across_tenants(page, acme, screenshot) -> None:
    log_in_to_admin(page)

    page.get_by_role("link", name="Tenants").first.click()
    page.get_by_role("link", name=re.compile("Add tenant", re.IGNORECASE)).click()
    page.fill("#id_name", "Initech")
    page.fill("#id_slug", "initech")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Initech")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    screenshot(page, "16-admin-tenants")
    initech = Tenant.objects.get(slug="initech")
    assert initech.require_staff_mfa  # new programs ask their staff for an authenticator app
    with tenant_context(initech.pk):
        created = AuditEntry.objects.get(action="admin.create")
    assert (created.via, created.actor.email) == ("admin", "operator@platform.example")

    # One list across tenants: the same company is on file with two vendors.
    page.goto("/admin/partners/partnerorganization/?q=northwind.example")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    assert sorted(rows.nth(i).locator("td.field-tenant").inner_text() for i in range(2)) == ["Acme Cloud", "Globex Software"]
    screenshot(page, "17-admin-partners-across-tenants")


@pytest.mark.django_db(transaction=True, databases=["default", "platform"])
def test_operator_fixes_a_partner_in_admin_and_it_is_audited(page, acme) -> None:
    with tenant_context(acme.pk):
        northwind = PartnerOrganization.objects.get(website_domain="northwind.example")
    log_in_to_admin(page)
    page.goto(f"/admin/partners/partnerorganization/{northwind.pk}/change/")
    page.select_option("#id_status", "at_risk")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    with tenant_context(acme.pk):
        changed = AuditEntry.objects.get(action="admin.change", object_id=str(northwind.public_id))
    assert changed.changes == {"status": "at_risk"}
    assert changed.via == "admin"


def test_api_docs_are_served_offline(page, live_server, screenshot) -> None:
    """Swagger UI comes from the drf-spectacular-sidecar wheel: no request leaves the server."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto("/api/v1/docs/")
    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Partner Ecosystem API")
    # Swagger UI renders a long list of operations virtually (only what is near the viewport exists in
    # the page), so scroll down until the partners resource comes into view.
    partners = page.locator(".swagger-ui .opblock-summary-path", has_text="/api/v1/t/{tenant_slug}/partners/").first
    for _ in range(60):
        if partners.count():
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(100)
    expect(partners).to_be_visible()
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), [u for u in requested if not u.startswith(live_server.url)]
    screenshot(page, "18-api-docs")
