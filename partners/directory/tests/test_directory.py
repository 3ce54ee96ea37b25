"""The directory: opt-in profiles, what other partners see of them, and the partner's own profile page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.tests.support import product_lines_for, submit_as
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from onboarding.models import Certification
from partners.directory import selectors, services
from partners.directory.models import DirectoryProfile
from partners.solutions.models import JointSolution, SolutionComponent
from tests.fixtures import training_course_for

from .support import capabilities_for, profile_for, third_partner

pytestmark = pytest.mark.django_db


def _search(tenant, *, partner=None, **filters):
    with tenant_context(tenant.pk, partner_id=partner.pk if partner else None):
        return selectors.directory_search(
            tenant=tenant,
            filters=selectors.DirectoryFilters.from_data(filters),
            paginate=lambda qs: qs,
            published_only=partner is not None,
        )


def _url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


# --- visibility ------------------------------------------------------------------------------------


def test_profiles_are_off_until_published(world):
    capabilities_for(world.a.tenant)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        profile = services.directory_profile_save(
            tenant=world.a.tenant, actor=world.a.partner1_admin, partner=world.a.partner1, values={"headline": "Banks"}
        )
    assert profile.is_published is False
    assert _search(world.a.tenant, partner=world.a.partner2) == []


def test_another_partner_sees_a_published_profile_with_its_public_fields_only(world):
    capabilities_for(world.a.tenant)
    profile_for(world.a.partner1, headline="Security for banks", capabilities=["security"], regions=["emea"])
    [card] = _search(world.a.tenant, partner=world.a.partner2)
    assert card.name == "Alpha Reseller"
    assert card.headline == "Security for banks"
    assert card.capabilities == ["Security"]
    assert card.region_labels == ["Europe, Middle East and Africa"]
    # a card holds the public fields and nothing else: no internal ids, deals or people
    assert set(vars(card)) == {
        "partner_id",
        "name",
        "partner_type",
        "partner_type_label",
        "tier",
        "is_published",
        "headline",
        "description",
        "capabilities",
        "capability_slugs",
        "regions",
        "region_labels",
        "industries",
        "contact_email",
        "show_certifications",
        "certifications",
        "solutions",
        "updated_at",
    }


def test_unpublished_profile_is_not_found_even_by_its_id(world):
    profile_for(world.a.partner1, published=False)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk), pytest.raises(NotFoundError):
        selectors.directory_card(
            tenant=world.a.tenant, partner_public_id=world.a.partner1.public_id, viewer_partner_id=world.a.partner2.pk
        )


def test_a_partner_reads_its_own_unpublished_profile_and_staff_read_every_profile(world):
    profile_for(world.a.partner1, published=False)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        own = selectors.directory_card(
            tenant=world.a.tenant, partner_public_id=world.a.partner1.public_id, viewer_partner_id=world.a.partner1.pk
        )
    assert own.is_published is False
    assert [c.name for c in _search(world.a.tenant)] == ["Alpha Reseller"]


def test_retired_partners_leave_the_directory(world):
    profile_for(world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        type(world.a.partner1).objects.filter(pk=world.a.partner1.pk).update(status="retired")
    assert _search(world.a.tenant, partner=world.a.partner2) == []


def test_search_matches_name_headline_description_and_capability_and_filters(world):
    capabilities_for(world.a.tenant)
    partner3, _admin = third_partner(world.a, name="Gamma Health", partner_type="si")
    profile_for(world.a.partner1, headline="Zero trust", description="Firewalls", capabilities=["security"], regions=["emea"])
    profile_for(partner3, headline="Clinics", description="Hospitals", capabilities=["healthcare"], regions=["na"])
    names = lambda **f: [c.name for c in _search(world.a.tenant, partner=world.a.partner2, **f)]  # noqa: E731
    assert names(q="gamma") == ["Gamma Health"]
    assert names(q="zero") == ["Alpha Reseller"]
    assert names(q="hospital") == ["Gamma Health"]
    assert names(q="Healthcare") == ["Gamma Health"]  # a capability's name
    assert names(capability="security") == ["Alpha Reseller"]
    assert names(region="na") == ["Gamma Health"]
    assert names(partner_type="si") == ["Gamma Health"]
    assert names(region="mars") == ["Alpha Reseller", "Gamma Health"]  # unknown values are ignored, not matched


def test_cards_show_valid_certifications_per_course_and_in_market_solutions(world):
    profile_for(world.a.partner1)
    course = training_course_for(world.a.tenant, title="Selling the platform")
    today = timezone.localdate()
    with tenant_context(world.a.tenant.pk):
        for number, (user, expires, revoked) in enumerate(
            (
                (world.a.partner1_admin, today + datetime.timedelta(days=100), None),
                (world.a.partner1_rep, today + datetime.timedelta(days=100), None),
                (world.a.manager, today - datetime.timedelta(days=1), None),  # expired: not counted
                (world.a.owner, today + datetime.timedelta(days=100), timezone.now()),  # revoked: not counted
            )
        ):
            Certification.objects.create(
                tenant=world.a.tenant,
                partner=world.a.partner1,
                user=user,
                course=course,
                credential_number=f"C-{number}",
                issued_at=timezone.now(),
                expires_on=expires,
                revoked_at=revoked,
            )
        in_market = JointSolution.objects.create(
            tenant=world.a.tenant, name="Secure Cloud", status="in_market", team_partner_ids=[world.a.partner1.pk]
        )
        draft = JointSolution.objects.create(
            tenant=world.a.tenant, name="Draft Idea", status="draft", team_partner_ids=[world.a.partner1.pk]
        )
        for solution in (in_market, draft):
            SolutionComponent.objects.create(
                tenant=world.a.tenant,
                solution=solution,
                partner=world.a.partner1,
                role="isv_product",
                status="accepted",
                team_partner_ids=[world.a.partner1.pk],
            )
    [card] = _search(world.a.tenant, partner=world.a.partner2)
    assert [(c.course, c.people) for c in card.certifications] == [("Selling the platform", 2)]
    assert card.solutions == ["Secure Cloud"]
    profile_for(world.a.partner1, show_certifications=False)
    [card] = _search(world.a.tenant, partner=world.a.partner2)
    assert card.certifications == []


def test_search_costs_the_same_queries_for_one_and_many_profiles(world, django_assert_num_queries):
    capabilities_for(world.a.tenant)
    profile_for(world.a.partner1)
    # across_partners: savepoint, widen the scope; the page, capability names, certifications, solutions;
    # release the savepoint, narrow the scope again
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk), django_assert_num_queries(8) as one:
        _inner_search(world)
    for index in range(3):
        partner, _ = third_partner(world.a, name=f"Extra {index}", partner_type=["si", "isv", "gsi"][index], with_admin=False)
        profile_for(partner)
    queries = len(one.captured_queries)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk), django_assert_num_queries(queries):
        cards = _inner_search(world)
    assert len(cards) == 4


def _inner_search(world):
    return selectors.directory_search(
        tenant=world.a.tenant, filters=selectors.DirectoryFilters(), paginate=lambda qs: list(qs[:20])
    )


# --- the profile service ---------------------------------------------------------------------------


def test_publishing_needs_a_headline_and_checks_capabilities_and_regions(world):
    capabilities_for(world.a.tenant)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        with pytest.raises(ApplicationError) as error:
            services.directory_profile_publish(
                tenant=world.a.tenant, actor=world.a.partner1_admin, partner=world.a.partner1, publish=True
            )
        assert error.value.code == "headline_required"
        with pytest.raises(ApplicationError) as error:
            services.directory_profile_save(
                tenant=world.a.tenant, actor=world.a.partner1_admin, partner=world.a.partner1, values={"capabilities": ["nope"]}
            )
        assert error.value.field == "capabilities"
        with pytest.raises(ApplicationError) as error:
            services.directory_profile_save(
                tenant=world.a.tenant, actor=world.a.partner1_admin, partner=world.a.partner1, values={"regions": ["mars"]}
            )
        assert error.value.field == "regions"
        profile = services.directory_profile_save(
            tenant=world.a.tenant,
            actor=world.a.partner1_admin,
            partner=world.a.partner1,
            values={"headline": "Banks", "capabilities": ["security"], "industries": "Banking, Insurance, Banking"},
        )
        assert profile.industries == ["Banking", "Insurance"]
        profile = services.directory_profile_publish(
            tenant=world.a.tenant, actor=world.a.partner1_admin, partner=world.a.partner1, publish=True
        )
        assert profile.is_published and profile.published_at is not None
        profile = services.directory_profile_publish(
            tenant=world.a.tenant, actor=world.a.partner1_admin, partner=world.a.partner1, publish=False
        )
    assert profile.is_published is False
    assert _search(world.a.tenant, partner=world.a.partner2) == []


def test_row_level_security_hides_another_partners_profile_row(world):
    profile_for(world.a.partner1, published=True)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk):
        assert not DirectoryProfile.objects.exists()  # only the selector, across partners, reads it


# --- portal pages ----------------------------------------------------------------------------------


def test_directory_page_lists_published_partners_and_never_their_deals(client, world):
    product_lines_for(world.a.tenant)
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, customer_name="Secret Customer Ltd")
    profile_for(world.a.partner1, headline="Security for banks")
    client.force_login(world.a.partner2_admin)
    response = client.get(_url("partner_directory:search"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Security for banks" in body
    assert "Secret Customer" not in body
    profile_page = client.get(_url("partner_directory:profile", partner_id=world.a.partner1.public_id))
    assert profile_page.status_code == 200
    assert "Secret Customer" not in profile_page.content.decode()


def test_unpublished_profile_page_is_404_to_other_partners(client, world):
    profile_for(world.a.partner1, published=False)
    client.force_login(world.a.partner2_admin)
    assert client.get(_url("partner_directory:profile", partner_id=world.a.partner1.public_id)).status_code == 404


def test_partner_admin_edits_and_publishes_the_profile_and_a_rep_cannot(client, world):
    capabilities_for(world.a.tenant)
    client.force_login(world.a.partner1_rep)
    response = client.post(_url("partner_directory:my_profile"), {"headline": "Rep was here"})
    assert response.status_code == 302
    assert client.post(_url("partner_directory:publish")).status_code == 403
    client.force_login(world.a.partner1_admin)
    response = client.post(
        _url("partner_directory:my_profile"),
        {"headline": "Zero trust", "capabilities": ["security"], "regions": ["emea"], "industries": "Banking"},
    )
    assert response.status_code == 302
    assert client.post(_url("partner_directory:publish")).status_code == 302
    with tenant_context(world.a.tenant.pk):
        profile = DirectoryProfile.objects.get(partner=world.a.partner1)
    assert (profile.headline, profile.is_published, profile.capabilities) == ("Zero trust", True, ["security"])


def test_profile_form_keeps_what_was_typed_and_shows_the_error(client, world):
    client.force_login(world.a.partner1_admin)
    response = client.post(_url("partner_directory:my_profile"), {"headline": "Kept", "contact_email": "not-an-email"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Kept"' in body
    assert "invalid-feedback" in body


def test_vendor_staff_see_every_profile(client, world):
    profile_for(world.a.partner1, published=False, headline="Hidden from partners")
    client.force_login(world.a.analyst)
    response = client.get(_url("directory:list"))
    assert response.status_code == 200
    assert "Hidden from partners" in response.content.decode()


def test_directory_page_costs_the_same_queries_for_one_and_many_partners(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    capabilities_for(world.a.tenant)
    profile_for(world.a.partner1)
    client.force_login(world.a.partner2_admin)
    client.get(_url("partner_directory:search"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(_url("partner_directory:search"))
    for index in range(3):
        partner, _ = third_partner(world.a, name=f"Extra {index}", partner_type="isv", with_admin=False)
        profile_for(partner)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url("partner_directory:search"))
    assert response.content.decode().count('data-testid="directory-card"') == 4
    assert len(many.captured_queries) == len(one.captured_queries)


def test_htmx_search_returns_only_the_results(client, world):
    profile_for(world.a.partner1, headline="Zero trust")
    client.force_login(world.a.partner2_admin)
    response = client.get(_url("partner_directory:search") + "?q=zero", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Zero trust" in body
    assert "<nav" not in body.split('data-testid="result-count"')[0]  # no page chrome before the results
