"""The instances of every SLA kind and the one SQL statement that measures them (see the package docstring)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from deals.models import (
    OPEN_FOR_DECISION,
    AppealStatus,
    CoSellRole,
    DealParticipant,
    DealRegistration,
    DecisionAction,
    ExtensionStatus,
    Lead,
    LeadOffer,
    OfferStatus,
    ParticipantStatus,
    RegistrationAppeal,
    RegistrationDecision,
    RegistrationExtension,
)
from ecosystem.tenancy.models import Tenant

from ..models import SlaDefinition, SlaKind

DEFAULT_PERIOD_DAYS = 90

MET = "met"
BREACHED = "breached"
OPEN_WITHIN = "open_within"
OPEN_OVERDUE = "open_overdue"
STATUS_LABELS = {MET: "Met", BREACHED: "Breached", OPEN_WITHIN: "Open, within target", OPEN_OVERDUE: "Open, overdue"}
BREACH_STATUSES = (BREACHED, OPEN_OVERDUE)


@dataclass(frozen=True)
class SlaPeriod:
    """Instances that started from ``start`` to ``end``, both days included (the site's time zone)."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def default(cls, *, today: datetime.date | None = None) -> SlaPeriod:
        end = today or timezone.localdate()
        return cls(start=end - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1), end=end)

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return start, end


_COLUMNS = ("kind", "partner", "started", "answered", "closed", "item", "registration", "lead", "subject")


def _null(output_field) -> Cast:
    return Cast(Value(None), output_field=output_field)


def _rows(queryset: QuerySet, kind: str, *, detail: bool, **columns) -> QuerySet:
    """The instance columns in one order for every kind (``s_<name>``), so the SELECTs can be UNIONed."""
    values = {
        "kind": Value(kind, output_field=CharField()),
        "partner": columns["partner"],
        "started": columns["started"],
        "answered": columns["answered"],
        "closed": columns.get("closed", Value(False, output_field=BooleanField())),
        "item": F("public_id"),
        "registration": columns.get("registration", _null(UUIDField())) if detail else _null(UUIDField()),
        "lead": columns.get("lead", _null(UUIDField())) if detail else _null(UUIDField()),
        "subject": columns.get("subject", _null(TextField())) if detail else _null(TextField()),
    }
    assert tuple(values) == _COLUMNS
    return queryset.annotate(**{f"s_{name}": expression for name, expression in values.items()}).values(
        *(f"s_{name}" for name in _COLUMNS)
    )


def _registration_decisions(base: dict, *, detail: bool) -> QuerySet:
    decided = (
        RegistrationDecision.objects.filter(
            registration=OuterRef("pk"), action__in=(DecisionAction.APPROVED, DecisionAction.REJECTED)
        )
        .order_by("decided_at", "id")
        .values("decided_at")[:1]
    )
    automatic = RegistrationDecision.objects.filter(registration=OuterRef("pk"), action=DecisionAction.AUTO_APPROVED)
    queryset = (
        DealRegistration.objects.filter(**base["registration"])
        .annotate(first_decision=Subquery(decided, output_field=DateTimeField()))
        .exclude(Exists(automatic))
        .filter(Q(first_decision__isnull=False) | Q(status__in=OPEN_FOR_DECISION))
    )
    return _rows(
        queryset,
        SlaKind.REGISTRATION_DECISION,
        detail=detail,
        partner=F("partner_id"),
        started=F("submitted_at"),
        answered=F("first_decision"),
        registration=F("public_id"),
        subject=Cast(F("customer_name"), TextField()),
    )


def _lead_answers(base: dict, *, detail: bool) -> QuerySet:
    # The lead itself by subquery, not a join: once a lead moved on to the next partner, the first
    # partner's scope no longer reads it, and its offer must still count.
    lead = Lead.objects.filter(pk=OuterRef("lead_id"))
    queryset = LeadOffer.objects.filter(**base["offer"]).exclude(status=OfferStatus.WITHDRAWN)
    return _rows(
        queryset,
        SlaKind.LEAD_ANSWER,
        detail=detail,
        partner=F("partner_id"),
        started=F("offered_at"),
        answered=Case(
            When(status__in=(OfferStatus.ACCEPTED, OfferStatus.DECLINED), then=F("responded_at")),
            default=_null(DateTimeField()),
        ),
        closed=Case(When(status=OfferStatus.EXPIRED, then=Value(True)), default=Value(False), output_field=BooleanField()),
        lead=Subquery(lead.values("public_id")[:1], output_field=UUIDField()),
        subject=Subquery(lead.values("company_name")[:1], output_field=TextField()),
    )


def _cosell_answers(base: dict, *, detail: bool) -> QuerySet:
    # The registration by subquery: an invitee that declined no longer reads the deal.
    registration = DealRegistration.objects.filter(pk=OuterRef("registration_id"))
    queryset = (
        DealParticipant.objects.filter(**base["participant"])
        .exclude(role=CoSellRole.SOURCING)
        .exclude(status=ParticipantStatus.REMOVED)
        .exclude(responded_at__lte=F("invited_at"))  # put on the team by a manager: nothing was asked
    )
    return _rows(
        queryset,
        SlaKind.COSELL_ANSWER,
        detail=detail,
        partner=F("partner_id"),
        started=F("invited_at"),
        answered=Case(
            When(status__in=(ParticipantStatus.ACCEPTED, ParticipantStatus.DECLINED), then=F("responded_at")),
            default=_null(DateTimeField()),
        ),
        registration=Subquery(registration.values("public_id")[:1], output_field=UUIDField()),
        subject=Subquery(registration.values("customer_name")[:1], output_field=TextField()),
    )


def _extension_decisions(base: dict, *, detail: bool) -> QuerySet:
    registration = DealRegistration.objects.filter(pk=OuterRef("registration_id"))
    return _rows(
        RegistrationExtension.objects.filter(**base["extension"]),
        SlaKind.EXTENSION_DECISION,
        detail=detail,
        partner=F("partner_id"),
        started=F("requested_at"),
        answered=Case(When(~Q(status=ExtensionStatus.REQUESTED), then=F("decided_at")), default=_null(DateTimeField())),
        registration=Subquery(registration.values("public_id")[:1], output_field=UUIDField()),
        subject=Subquery(registration.values("customer_name")[:1], output_field=TextField()),
    )


def _appeal_decisions(base: dict, *, detail: bool) -> QuerySet:
    registration = DealRegistration.objects.filter(pk=OuterRef("registration_id"))
    return _rows(
        RegistrationAppeal.objects.filter(**base["appeal"]),
        SlaKind.APPEAL_DECISION,
        detail=detail,
        partner=F("partner_id"),
        started=F("submitted_at"),
        answered=Case(When(~Q(status=AppealStatus.OPEN), then=F("decided_at")), default=_null(DateTimeField())),
        registration=Subquery(registration.values("public_id")[:1], output_field=UUIDField()),
        subject=Subquery(registration.values("customer_name")[:1], output_field=TextField()),
    )


_INSTANCES = {
    SlaKind.REGISTRATION_DECISION: _registration_decisions,
    SlaKind.LEAD_ANSWER: _lead_answers,
    SlaKind.COSELL_ANSWER: _cosell_answers,
    SlaKind.EXTENSION_DECISION: _extension_decisions,
    SlaKind.APPEAL_DECISION: _appeal_decisions,
}


def measured_sql(
    *,
    tenant: Tenant,
    definitions: Iterable[SlaDefinition],
    period: SlaPeriod,
    now: datetime.datetime,
    partner_id: int | None,
    detail: bool,
) -> tuple[str, list[Any]] | None:
    """``WITH measured AS (…)``: every instance of the active SLAs in the period with its status and hours."""
    active = [d for d in definitions if d.is_active]
    if not active:
        return None
    start, end = period.bounds
    mine = {"partner_id": partner_id} if partner_id is not None else {}
    base = {
        "registration": {"tenant": tenant, "submitted_at__gte": start, "submitted_at__lt": end, **mine},
        "offer": {"tenant": tenant, "offered_at__gte": start, "offered_at__lt": end, **mine},
        "participant": {"tenant": tenant, "invited_at__gte": start, "invited_at__lt": end, **mine},
        "extension": {"tenant": tenant, "requested_at__gte": start, "requested_at__lt": end, **mine},
        "appeal": {"tenant": tenant, "submitted_at__gte": start, "submitted_at__lt": end, **mine},
    }
    parts, params = [], []
    for definition in active:
        queryset = _INSTANCES[definition.kind](base, detail=detail)
        sql, part_params = queryset.query.get_compiler(connection=connection).as_sql()
        parts.append(f"({sql})")
        params.extend(part_params)
    targets = ", ".join("(%s, %s)" for _ in active)
    for definition in active:
        params.extend([definition.kind, int(definition.target_hours)])
    params.extend([now, now])
    sql = f"""
        WITH instances AS ({" UNION ALL ".join(parts)}),
        targets (kind, hours) AS (VALUES {targets}),
        measured AS (
            SELECT i.*, t.hours AS target_hours,
                CASE
                    WHEN i.s_answered IS NOT NULL THEN
                        CASE WHEN i.s_answered <= i.s_started + make_interval(hours => t.hours) THEN 'met' ELSE 'breached' END
                    WHEN i.s_closed THEN 'breached'
                    WHEN %s::timestamptz <= i.s_started + make_interval(hours => t.hours) THEN 'open_within'
                    ELSE 'open_overdue'
                END AS status,
                EXTRACT(EPOCH FROM (i.s_answered - i.s_started)) / 3600.0 AS hours_taken,
                EXTRACT(EPOCH FROM (%s::timestamptz - i.s_started)) / 3600.0 AS hours_open
            FROM instances i JOIN targets t ON t.kind = i.s_kind
        )"""
    return sql, params
