"""The public application page and the applicant's status page: no account, only the program's address."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail

from ecosystem.tenancy.context import tenant_context
from onboarding.models import PartnerApplication
from partners.models import Capability

from .support import applications_of, fresh_ip, reject, submit_application


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(**overrides) -> dict:
    """The application page's fields as a browser posts them."""
    data = {
        "company_name": "Nimbus Networks",
        "website_domain": "https://www.Nimbus.example/about",
        "partner_type": "reseller",
        "regions": ["emea", "apac"],
        "country": "DE",
        "expected_deal_volume": "10_50",
        "contact_name": "Nia Novak",
        "contact_email": "Nia@Nimbus.example",
        "message": "We resell to mid-sized manufacturers.",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def apply(client, slug="alpha", *, ip=None, **overrides):
    return client.post(f"/apply/{slug}/", form_data(**overrides), REMOTE_ADDR=ip or fresh_ip())


def status_link_in(message) -> str:
    [url] = re.findall(r"https?://\S+/apply/\S+/status/\S+/", message.body)
    return url


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_apply_page_shows_the_form_with_the_programs_capabilities_to_anyone(client, world):
    with tenant_context(world.a.tenant.pk):
        Capability.objects.create(tenant=world.a.tenant, name="Cloud migration", slug="cloud-migration")

    response = client.get("/apply/alpha/")

    body = text(response)
    assert response.status_code == 200
    assert "Become a Alpha partner" in body
    assert 'value="cloud-migration"' in body and "Cloud migration" in body


def test_a_valid_application_is_stored_with_a_normalised_domain(client, world):
    response = apply(client)

    assert response.status_code == 200
    assert "Thank you for applying" in text(response)
    [application] = applications_of(world.a.tenant)
    assert (application.company_name, application.website_domain, application.contact_email) == (
        "Nimbus Networks",
        "nimbus.example",
        "nia@nimbus.example",
    )
    assert (application.regions, application.country.code, application.status) == (["apac", "emea"], "DE", "submitted")


def test_the_applicant_is_emailed_an_absolute_status_link_that_works(client, world, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://partners.example.com"

    with django_capture_on_commit_callbacks(execute=True):
        apply(client)

    [message] = mail.outbox
    assert message.to == ["nia@nimbus.example"]
    link = status_link_in(message)
    assert link.startswith("https://partners.example.com/apply/alpha/status/")
    response = client.get(path_of(link))
    assert response.status_code == 200
    assert "Waiting for review" in text(response)


def test_the_thank_you_page_links_to_the_status_page(client, world):
    response = apply(client)

    [path] = re.findall(r'href="(/apply/alpha/status/[^"]+/)"', response.content.decode())
    assert client.get(path).status_code == 200


def test_a_second_application_for_the_same_domain_is_merged_and_the_page_says_so(client, world):
    apply(client)

    response = apply(client, website_domain="nimbus.example", contact_name="Noor Nimbus")

    assert response.status_code == 200
    assert "We already had an application for this company." in text(response)
    [application] = applications_of(world.a.tenant)
    assert (application.submissions, application.contact_name) == (2, "Noor Nimbus")


def test_after_a_merge_only_the_newest_status_link_works(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        apply(client)
        apply(client, website_domain="WWW.nimbus.example")
    old, new = (path_of(status_link_in(message)) for message in mail.outbox)

    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_bad_input_is_answered_field_by_field_and_the_typed_values_are_kept(client, world):
    response = apply(
        client, company_name="", website_domain="not a domain", contact_email="nia-at-nimbus", contact_name="Nia Novak"
    )

    body = text(response)
    assert response.status_code == 400
    assert "This field is required." in body  # the company name
    assert "Enter a valid email address." in body
    assert "Enter a website domain such as example.com." in body
    assert 'value="not a domain"' in body and 'value="nia-at-nimbus"' in body and 'value="Nia Novak"' in body
    assert applications_of(world.a.tenant) == []


def test_a_domain_that_is_not_a_host_name_is_shown_next_to_the_domain_field(client, world):
    response = apply(client, website_domain="not a domain")

    body = text(response)
    assert response.status_code == 400
    assert '<div class="invalid-feedback d-block">Enter a website domain such as example.com.</div>' in body
    assert 'value="Nimbus Networks"' in body
    assert applications_of(world.a.tenant) == []


def test_an_unknown_capability_is_refused(client, world):
    with tenant_context(world.a.tenant.pk):
        Capability.objects.create(tenant=world.a.tenant, name="Cloud migration", slug="cloud-migration")

    response = apply(client, capabilities=["cloud-migration", "time-travel"])

    assert response.status_code == 400
    assert "time-travel is not one of the available choices" in text(response)
    assert applications_of(world.a.tenant) == []


def test_another_programs_capability_is_refused(client, world):
    with tenant_context(world.b.tenant.pk):
        Capability.objects.create(tenant=world.b.tenant, name="Beta only", slug="beta-only")

    response = apply(client, capabilities=["beta-only"])

    assert response.status_code == 400
    assert applications_of(world.a.tenant) == []


def test_a_filled_honeypot_gets_the_thank_you_page_but_nothing_is_stored_or_sent(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = apply(client, website="https://spam.example")

    assert response.status_code == 200
    assert "Thank you for applying" in text(response)
    assert applications_of(world.a.tenant) == []
    assert mail.outbox == []


def test_too_many_applications_from_one_address_get_429_and_nothing_more_is_stored(client, world):
    ip = fresh_ip()
    for n in range(5):
        assert apply(client, ip=ip, website_domain=f"company{n}.example").status_code == 200

    response = apply(client, ip=ip, website_domain="company6.example")

    assert response.status_code == 429
    assert "Too many applications from your network. Please try again in an hour." in text(response)
    assert len(applications_of(world.a.tenant)) == 5


def test_the_rate_limit_counts_each_address_on_its_own(client, world):
    crowded = fresh_ip()
    for n in range(6):
        apply(client, ip=crowded, website_domain=f"company{n}.example")

    response = apply(client, website_domain="quiet.example")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/apply/nowhere/", "/apply/nowhere/status/some-token/"])
def test_an_unknown_program_is_404(client, world, path):
    assert client.get(path).status_code == 404


def test_an_unknown_status_token_is_404(client, world):
    submit_application(world.a.tenant)

    assert client.get("/apply/alpha/status/not-a-real-token/").status_code == 404


def test_a_status_link_of_one_program_is_404_at_another_programs_address(client, world):
    submitted = submit_application(world.a.tenant)
    foreign = submitted.status_url.replace("/apply/alpha/", "/apply/beta/")

    response = client.get(foreign)

    assert response.status_code == 404
    assert "Nimbus" not in text(response)


def test_the_status_page_shows_the_decision_and_its_reason(client, world):
    submitted = submit_application(world.a.tenant)
    reject(world.a.tenant, submitted.application, reason="We only take MSPs this year.")

    body = text(client.get(submitted.status_url))

    assert "Not accepted" in body
    assert "Reason: We only take MSPs this year." in body


def test_a_different_contact_for_the_same_domain_cannot_take_over_the_application(client, world):
    first = apply(client, website_domain="takeover.example", contact_email="owner@takeover.example", contact_name="Real Owner")
    assert first.status_code == 200
    second = apply(
        client, website_domain="takeover.example", contact_email="attacker@elsewhere.example", contact_name="Someone Else"
    )
    assert second.status_code == 200
    assert "already had an application" in second.content.decode()
    with tenant_context(world.a.tenant.pk):
        application = PartnerApplication.objects.get(website_domain="takeover.example")
    assert (application.contact_email, application.contact_name, application.submissions) == (
        "owner@takeover.example",
        "Real Owner",
        2,
    )
    assert "Also applied: Someone Else <attacker@elsewhere.example>" in application.message


def test_behind_a_proxy_the_rate_limit_counts_the_forwarded_client_not_the_proxy(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy, busy, quiet = fresh_ip(), fresh_ip(), fresh_ip()

    def apply_via_proxy(client_address: str, domain: str):
        return client.post(
            "/apply/alpha/", form_data(website_domain=domain), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=client_address
        )

    for n in range(5):
        assert apply_via_proxy(busy, f"company{n}.example").status_code == 200
    blocked = apply_via_proxy(busy, "company6.example")
    other_client = apply_via_proxy(quiet, "company7.example")

    assert blocked.status_code == 429
    assert other_client.status_code == 200
    assert len(applications_of(world.a.tenant)) == 6
