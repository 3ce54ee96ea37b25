"""Submitting deal registrations: validation, conflicts of every kind, auto-approval, the gate, and what partners learn."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from deals.models import (
    CustomerAccount,
    DealConflict,
    DealRegistration,
    DirectOpportunity,
    RegistrationClaim,
    RegistrationDecision,
)
from deals.registrations import PrecheckOutcome, registration_precheck
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementEvent, PartnerOrganization, Tier
from tests.fixtures import onboarding_plan_for

from .support import product_lines_for, rules_for, submit_as


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)
    product_lines_for(world.b.tenant)


def registrations(world, **filters) -> list[DealRegistration]:
    with tenant_context(world.a.tenant.pk):
        return list(DealRegistration.objects.filter(**filters).order_by("submitted_at", "id"))


def test_a_first_registration_is_pending_holds_its_product_lines_and_creates_the_account(world):
    submitted = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)

    registration = submitted.registration
    assert (registration.status, submitted.conflicts) == ("pending", [])
    with tenant_context(world.a.tenant.pk):
        account = CustomerAccount.objects.get()
        claims = list(RegistrationClaim.objects.values_list("product_line", "is_active"))
        [decision] = RegistrationDecision.objects.all()
        audit = AuditEntry.objects.get(action="deals.registration_submit")
        event = EngagementEvent.objects.get(kind="registration_submitted")
    assert (account.name, account.domain, account.root_domain, account.name_key) == (
        "Initech Inc.",
        "initech.example",
        "initech.example",
        "initech",
    )
    assert claims == [("compute", True)]
    assert (decision.action, decision.rule, decision.to_status) == ("submitted", "first_submission", "pending")
    assert audit.changes["status"] == "pending" and event.partner_id == world.a.partner1.pk


def test_a_second_partner_on_the_same_customer_and_line_is_under_review_with_the_reason_recorded(world):
    first = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    second = submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_domain="sales.initech.example")

    assert second.registration.status == "under_review"
    with tenant_context(world.a.tenant.pk):
        [conflict] = DealConflict.objects.filter(registration=second.registration)
        assert not RegistrationClaim.objects.filter(registration=second.registration).exists()
    assert (conflict.kind, conflict.score, conflict.product_lines) == ("registered", 100, ["compute"])
    assert conflict.other_registration_id == first.pk and conflict.other_submitted_at == first.submitted_at


def test_another_product_line_on_the_same_customer_is_no_conflict(world):
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, product_lines=["compute"])

    second = submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin, product_lines=["security"])

    assert (second.registration.status, second.conflicts) == ("pending", [])


def test_a_similar_name_under_another_domain_is_a_conflict_with_its_score(world):
    rules_for(world.a.tenant, name_match_threshold=85)
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, customer_name="Initech Incorporated")

    second = submit_as(
        world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="INITECH, Inc", customer_domain="initech.io"
    )

    [conflict] = second.conflicts
    assert second.registration.status == "under_review"
    assert conflict.kind == "similar_name" and conflict.score >= 85


def test_a_dissimilar_name_under_another_domain_is_clear(world):
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)

    second = submit_as(
        world.a.tenant,
        world.a.partner2,
        world.a.partner2_admin,
        customer_name="Globex Corporation",
        customer_domain="globex.example",
    )

    assert second.registration.status == "pending"


def test_an_open_direct_opportunity_on_the_customer_is_a_conflict(world):
    with tenant_context(world.a.tenant.pk):
        account = CustomerAccount.objects.create(
            tenant=world.a.tenant, name="Initech", name_key="initech", domain="initech.example", root_domain="initech.example"
        )
        DirectOpportunity.objects.create(
            tenant=world.a.tenant, account=account, name="Initech renewal", product_lines=["compute"]
        )

    submitted = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)

    assert [c.kind for c in submitted.conflicts] == ["direct"]
    assert submitted.registration.status == "under_review"


def test_the_same_partner_registering_twice_is_a_duplicate(world):
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)

    again = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_rep)

    assert [c.kind for c in again.conflicts] == ["duplicate"]


def test_no_conflict_and_a_small_value_is_approved_at_once_with_the_tiers_protection(world):
    rules_for(world.a.tenant, auto_approve_below=Decimal("100000"), currency="USD", protection_days=90)
    with tenant_context(world.a.tenant.pk):
        gold = Tier.objects.create(tenant=world.a.tenant, name="Gold", rank=2, deal_protection_days=120)
        PartnerOrganization.objects.filter(pk=world.a.partner1.pk).update(tier=gold)

    submitted = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, value="99999.99")

    registration = submitted.registration
    assert registration.status == "approved"
    assert registration.protected_until == datetime.date.today() + datetime.timedelta(days=120)
    with tenant_context(world.a.tenant.pk):
        decision = RegistrationDecision.objects.get(registration=registration)
    assert decision.action == "auto_approved" and decision.rule == "auto_approve_below+tier:Gold"


def test_a_value_at_the_limit_or_in_another_currency_waits_for_a_manager(world):
    rules_for(world.a.tenant, auto_approve_below=Decimal("100000"), currency="USD")

    at_limit = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, value="100000")
    in_euros = submit_as(
        world.a.tenant,
        world.a.partner2,
        world.a.partner2_admin,
        value="10",
        currency="EUR",
        customer_domain="other.example",
        customer_name="Other Co",
    )

    assert (at_limit.registration.status, in_euros.registration.status) == ("pending", "pending")


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"customer_name": " "}, "customer_name", "required"),
        ({"customer_domain": ""}, "customer_domain", "required"),
        ({"customer_domain": "not a domain"}, "customer_domain", "invalid_domain"),
        ({"contact_name": ""}, "contact_name", "required"),
        ({"product_lines": []}, "product_lines", "required"),
        ({"product_lines": ["teleporters"]}, "product_lines", "invalid_choice"),
        ({"value": "lots"}, "value", "invalid_number"),
        ({"value": "-1"}, "value", "out_of_range"),
        ({"currency": "dollars"}, "currency", "invalid_currency"),
        ({"expected_close_date": "31/12/2030"}, "expected_close_date", "invalid_date"),
        ({"expected_close_date": "2001-01-01"}, "expected_close_date", "date_in_past"),
        ({"stage": "closed_won"}, "stage", "invalid_choice"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(world, overrides, field, code):
    with pytest.raises(ApplicationError) as refused:
        submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, **overrides)

    assert (refused.value.field, refused.value.code) == (field, code)
    with tenant_context(world.a.tenant.pk):
        assert not DealRegistration.objects.exists() and not CustomerAccount.objects.exists()


def test_the_gate_refuses_a_registration_until_onboarding_is_done(world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)

    with pytest.raises(ApplicationError) as refused:
        submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)

    assert refused.value.code == "onboarding_incomplete"
    assert "Sign the partner agreement" in refused.value.message
    assert registrations(world) == []


def test_another_tenants_registration_of_the_same_customer_is_no_conflict(world):
    submit_as(world.b.tenant, world.b.partner1, world.b.partner1_admin)

    submitted = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)

    assert submitted.registration.status == "pending"


def test_the_partner_scope_reads_only_its_own_registrations_and_no_accounts(world):
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)
    submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin)

    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk):
        mine = list(DealRegistration.objects.values_list("partner_id", flat=True))
        conflicts = list(DealConflict.objects.values_list("partner_id", flat=True))
        accounts = CustomerAccount.objects.count()
        claims = list(RegistrationClaim.objects.values_list("partner_id", flat=True))

    assert mine == [world.a.partner2.pk] and conflicts == [world.a.partner2.pk]
    assert accounts == 0 and claims == []


def test_the_precheck_answers_clear_likely_conflict_or_yours_and_writes_nothing(world):
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)

    def precheck(partner, **values):
        with tenant_context(world.a.tenant.pk, partner_id=partner.pk):
            return registration_precheck(
                tenant=world.a.tenant,
                partner_id=partner.pk,
                customer_name=values.get("name", "Initech"),
                customer_domain=values.get("domain", "initech.example"),
                product_lines=values.get("lines", ["compute"]),
            )

    assert precheck(world.a.partner2) == PrecheckOutcome.LIKELY_CONFLICT
    assert precheck(world.a.partner1) == PrecheckOutcome.YOURS
    assert precheck(world.a.partner2, lines=["data"]) == PrecheckOutcome.CLEAR
    assert precheck(world.a.partner2, name="Umbrella Corp", domain="umbrella.example") == PrecheckOutcome.CLEAR
    with tenant_context(world.a.tenant.pk):
        assert CustomerAccount.objects.count() == 1 and DealRegistration.objects.count() == 1


def test_the_database_lets_the_deals_team_read_it_and_nobody_else(world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration

    def visible_to(partner) -> bool:
        with tenant_context(world.a.tenant.pk, partner_id=partner.pk):
            return DealRegistration.objects.filter(pk=registration.pk).exists()

    assert (visible_to(world.a.partner1), visible_to(world.a.partner2)) == (True, False)
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(team_partner_ids=[world.a.partner1.pk, world.a.partner2.pk])
    assert visible_to(world.a.partner2) is True


def test_staff_read_a_registration_whose_team_array_is_empty_and_partners_do_not(world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(team_partner_ids=[])

    with tenant_context(world.a.tenant.pk):
        staff_sees = DealRegistration.objects.filter(pk=registration.pk).exists()
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        owner_sees = DealRegistration.objects.filter(pk=registration.pk).exists()

    assert (staff_sees, owner_sees) == (True, False)


def test_the_database_keeps_each_accounts_name_tokens_whoever_writes_it(world):
    from deals.models import CustomerAccountToken

    with tenant_context(world.a.tenant.pk):
        account = CustomerAccount.objects.create(
            tenant=world.a.tenant, name="Initech Global", name_key="initech global", domain="i.example", root_domain="i.example"
        )
        created = sorted(CustomerAccountToken.objects.filter(account=account).values_list("token", flat=True))
        CustomerAccount.objects.filter(pk=account.pk).update(name_key="umbrella corp")
        renamed = sorted(CustomerAccountToken.objects.filter(account=account).values_list("token", flat=True))

    assert created == ["glob", "init"]
    assert renamed == ["corp", "umbr"]


def test_the_similar_name_lookup_rests_on_an_operator_row_level_security_lets_indexes_use(world):
    """Under RLS an index serves only leakproof operators: text equality is one, full-text ``@@`` is not.

    That is why candidates come from the token table (``token = ANY(…)``) and not from a full-text
    index on the names. Which index the planner then picks on a tiny test table is its business;
    bench/deals.py shows the index-only scan at 200,000 accounts.
    """
    from django.db import connection

    from deals.accounts import similar_accounts

    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)
    with tenant_context(world.a.tenant.pk), connection.cursor() as cursor:
        found = similar_accounts(tenant=world.a.tenant, name="Initech Incorporated", threshold=50)
        cursor.execute("SELECT proname, proleakproof FROM pg_proc WHERE proname IN ('texteq', 'ts_match_vq')")
        leakproof = dict(cursor.fetchall())

    assert [s.account.name for s in found] == ["Initech Inc."]
    assert leakproof == {"texteq": True, "ts_match_vq": False}


def test_a_very_common_word_is_left_out_of_the_candidates_when_a_rarer_one_exists(world, monkeypatch):
    from deals import accounts

    monkeypatch.setattr(accounts, "COMMON_TOKEN_ACCOUNTS", 2)
    with tenant_context(world.a.tenant.pk):
        for n, name in enumerate(["global alpha", "global beta", "global gamma", "initech global"]):
            CustomerAccount.objects.create(
                tenant=world.a.tenant, name=name, name_key=name, domain=f"c{n}.example", root_domain=f"c{n}.example"
            )
        telling = accounts._telling_tokens(tenant=world.a.tenant, tokens=accounts.name_tokens("Initech Global"))
        only_common = accounts._telling_tokens(tenant=world.a.tenant, tokens=accounts.name_tokens("Global"))
        found = accounts.similar_accounts(tenant=world.a.tenant, name="Initech Global Ltd", threshold=90)

    assert telling == ["init"] and only_common == ["glob"]
    assert [s.account.name for s in found] == ["initech global"]
