"""Export audit, erasure (pseudonymisation, refusals, other tenants untouched) and the retention setting."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from ecosystem.accounts.models import Membership
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.privacy import services
from ecosystem.privacy.models import ErasedPerson, PrivacySettings
from ecosystem.privacy.selectors import person_data
from ecosystem.tenancy.context import tenant_context
from onboarding.models import AgreementSignature
from partners.models import EngagementEvent

from .support import IP, NAME, also_member_of, give_records, named


@pytest.fixture
def rita(world):
    return named(world.a.partner1_rep)


def membership(world_tenant, user) -> Membership:
    with tenant_context(world_tenant.tenant.pk):
        return Membership.objects.select_related("user").get(user=user)


def erase(world, user, typed=None):
    target = membership(world.a, user)
    with tenant_context(world.a.tenant.pk):
        owner_membership = Membership.objects.get(user=world.a.owner)
        return services.person_erase(
            tenant=world.a.tenant,
            actor=world.a.owner,
            actor_membership=owner_membership,
            membership=target,
            confirm_email=typed if typed is not None else user.email,
        )


def identifying(user) -> list[str]:
    return [user.email, NAME, "Repsworth", IP]


def outside_audit(data: dict) -> str:
    """The export without the audit log, the one part erasure keeps as written (see sources.RETAIN)."""
    records = {label: rows for label, rows in data["records"].items() if label != "audit.auditentry"}
    return json.dumps({**data, "records": records})


def test_an_export_is_audited_with_whose_data_and_how_many_rows_but_not_the_data(world, rita):
    give_records(world.a, rita, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        data = services.person_data_export(tenant=world.a.tenant, actor=world.a.owner, user=rita)
        entry = AuditEntry.objects.filter(action="privacy.export").get()

    rows = sum(map(len, data["records"].values())) + sum(map(len, data["by_email"].values()))
    assert entry.actor_id == world.a.owner.pk
    assert entry.changes == {"person": str(rita.public_id), "own_data": False, "rows": rows}
    assert NAME not in json.dumps(entry.changes)


def test_erasure_leaves_no_identifying_value_in_the_persons_data(world, rita):
    held = give_records(world.a, rita, world.a.partner1)
    original = identifying(rita)

    erased = erase(world, rita)

    rita.refresh_from_db()
    with tenant_context(world.a.tenant.pk):
        data = person_data(tenant=world.a.tenant, user=rita)
        signature = AgreementSignature.objects.get(public_id=held.signature)
        events = EngagementEvent.objects.filter(pk__in=held.events)
        assert [e.user_id for e in events] == [None, None]  # kept for the partner's scores, no longer theirs
        assert not Membership.objects.get(user=rita).is_active
    body = outside_audit(data)
    assert [value for value in original if value in body] == []
    assert erased.label == f"Erased person #{rita.pk}" and data["profile"] == {
        "public_id": str(rita.public_id),
        "erased_as": erased.label,
    }
    # the signature stays (a record that must remain), under the pseudonym
    assert (signature.typed_name, signature.ip) == (erased.label, None)
    # the invitation to their address stays, addressed to the pseudonymous address
    assert [i["email"] for i in data["by_email"]["accounts.invitation"]] == [f"erased-{rita.pk}@invalid"]
    # no other program holds the account: it is pseudonymised too
    assert (rita.email, rita.full_name, rita.is_active, rita.has_usable_password()) == (
        f"erased-{rita.pk}@invalid",
        "",
        False,
        False,
    )


def test_erasure_keeps_the_audit_log_as_written_and_records_itself_without_the_values(world, rita):
    give_records(world.a, rita, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        before = list(AuditEntry.objects.filter(actor=rita).values_list("pk", "actor_label", "changes"))

    erase(world, rita)

    with tenant_context(world.a.tenant.pk):
        after = list(AuditEntry.objects.filter(actor=rita).values_list("pk", "actor_label", "changes"))
        entry = AuditEntry.objects.get(action="privacy.erase")
    assert before and after == before
    assert entry.object_repr == f"Erased person #{rita.pk}"
    written = json.dumps([entry.object_repr, entry.changes])
    assert [value for value in identifying(rita) if value in written] == []
    assert entry.changes["rows"] == {
        "onboarding.agreementsignature": 1,
        "onboarding.onboardingstep": 1,
        # 2 logins + the step completed + the MDF request submitted
        "partners.engagementevent": 4,
        "accounts.invitation (by address)": 1,
    }


def test_erasure_in_one_program_leaves_the_persons_data_in_another_untouched(world, rita):
    address = rita.email
    give_records(world.a, rita, world.a.partner1)
    also_member_of(world.b, rita, world.b.partner1)
    held_b = give_records(world.b, rita, world.b.partner1)
    with tenant_context(world.b.tenant.pk):
        before_b = person_data(tenant=world.b.tenant, user=rita)

    erase(world, rita)

    rita.refresh_from_db()
    with tenant_context(world.b.tenant.pk):
        after_b = person_data(tenant=world.b.tenant, user=rita)
        assert AgreementSignature.objects.get(public_id=held_b.signature).typed_name == NAME
    with tenant_context(world.a.tenant.pk):
        after_a = person_data(tenant=world.a.tenant, user=rita)
    assert (rita.email, rita.full_name, rita.is_active) == (address, NAME, True)  # B still holds the account
    assert {k: v for k, v in after_b.items() if k != "generated_at"} == {k: v for k, v in before_b.items() if k != "generated_at"}
    assert [value for value in identifying(rita) if value in outside_audit(after_a)] == []


@pytest.mark.parametrize(
    ("typed", "code"),
    [("someone-else@example.com", "confirmation_mismatch"), ("", "confirmation_mismatch")],
)
def test_erasure_needs_the_persons_address_typed_and_changes_nothing_otherwise(world, rita, typed, code):
    held = give_records(world.a, rita, world.a.partner1)

    with pytest.raises(ApplicationError) as refused:
        erase(world, rita, typed=typed)

    assert refused.value.code == code and refused.value.field == "confirm_email"
    rita.refresh_from_db()
    with tenant_context(world.a.tenant.pk):
        assert AgreementSignature.objects.get(public_id=held.signature).typed_name == NAME
        assert not ErasedPerson.objects.exists() and Membership.objects.get(user=rita).is_active
    assert rita.full_name == NAME


def test_an_owner_cannot_erase_themselves(world):
    target = membership(world.a, world.a.owner)
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as refused:
        services.person_erase(
            tenant=world.a.tenant,
            actor=world.a.owner,
            actor_membership=target,
            membership=target,
            confirm_email=world.a.owner.email,
        )
    assert refused.value.code == "self_erasure"


def test_a_person_is_erased_once(world, rita):
    erase(world, rita)
    rita.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        erase(world, rita)
    assert refused.value.code == "already_erased"


def test_the_retention_setting_is_kept_between_90_and_3650_days_and_audited(world):
    with tenant_context(world.a.tenant.pk):
        with pytest.raises(ApplicationError) as refused:
            services.privacy_settings_update(tenant=world.a.tenant, actor=world.a.owner, engagement_retention_days=89)
        assert refused.value.field == "engagement_retention_days" and not PrivacySettings.objects.exists()
        services.privacy_settings_update(tenant=world.a.tenant, actor=world.a.owner, engagement_retention_days=90)
        entry = AuditEntry.objects.get(action="privacy.settings_update")
    assert entry.changes == {"engagement_retention_days": [None, 90]}


def test_the_purge_deletes_events_older_than_the_retention_in_batches_and_keeps_the_rest(world):
    now = timezone.now()
    a, b = world.a, world.b

    def event(tenant_world, days: float):
        return EngagementEvent.objects.create(
            tenant=tenant_world.tenant,
            partner=tenant_world.partner1,
            kind="login",
            occurred_at=now - datetime.timedelta(days=days),
        ).pk

    with tenant_context(a.tenant.pk):
        services.privacy_settings_update(tenant=a.tenant, actor=a.owner, engagement_retention_days=100)
        # cut-off: now − 100 days. Older: 100 days + 1 minute, 101, 400, 800. Kept: 99.99, 10, 0.
        old = [event(a, d) for d in (100 + 1 / 1440, 101, 400, 800)]
        kept = [event(a, d) for d in (100 - 1 / 1440, 10, 0)]
    with tenant_context(b.tenant.pk):
        # tenant B keeps the default 730 days: its 400-day-old event stays, the 800-day-old one goes
        b_kept, b_old = event(b, 400), event(b, 800)

    with tenant_context(a.tenant.pk):
        deleted = services.engagement_events_purge(tenant=a.tenant, now=now, batch_size=3)  # 3 + 1: two batches
        left = set(EngagementEvent.objects.values_list("pk", flat=True))
        entry = AuditEntry.objects.get(action="privacy.engagement_purge")
        again = services.engagement_events_purge(tenant=a.tenant, now=now, batch_size=3)
    with tenant_context(b.tenant.pk):
        b_deleted = services.engagement_events_purge(tenant=b.tenant, now=now)
        b_left = set(EngagementEvent.objects.values_list("pk", flat=True))

    assert deleted == 4 and left == set(kept) and not set(old) & left
    assert entry.changes["deleted"] == 4 and entry.changes["days"] == 100
    assert again == 0
    assert b_deleted == 1 and b_kept in b_left and b_old not in b_left
