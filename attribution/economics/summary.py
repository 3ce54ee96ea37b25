"""The weekly program summary email: the figures of the last 7 days against the 7 before, and the mail.

Beat runs :func:`attribution.economics.tasks.weekly_summary_all_tenants` on Mondays at 07:00; it fans
out one :func:`~attribution.economics.tasks.weekly_summary_send` per active tenant, which calls
:func:`weekly_summary_send` here.

**The week.** The summary sent in the week starting Monday ``M`` (``week_start``) covers the 7 days
``[M − 7 days, M)``, local time, compared with ``[M − 14 days, M − 7 days)``. Sent any day of the
week, it reports the same two periods, so a re-run reports the same figures.

**The figures** (each line: this week, the week before; snapshots: now):

* new partners: partner organisations created in the period;
* applications: partner applications submitted in the period;
* registrations submitted: deal registrations submitted in the period;
* registrations approved: approvals recorded in the period (a registration's decision history step to
  ``approved``, by a manager or by the auto-approval rule);
* closed-won partner revenue: the closed amounts of registrations won with a close date in the period,
  in the program's currency only (others are not converted, as on the MDF and tier pages);
* MDF requests and claims waiting for a decision (snapshot);
* open churn alerts (snapshot);
* PSAT answers: survey responses submitted in the period;
* current NPS: the NPS (% promoters 9–10 − % detractors 0–6) of the latest survey with answers, as on
  the surveys page (snapshot).

Every figure is one SQL aggregate (counts and sums filtered per period), the NPS the surveys' own
selector: :data:`FIGURE_QUERIES` statements whatever the size of the program.

**Who gets it.** The tenant's active owners and partner managers, minus those the settings page
(``economics:summary_settings``) marks as not receiving it; nobody when the tenant turned it off.

**Once per week.** :func:`weekly_summary_send` records the week in :class:`WeeklySummarySent`
(unique per tenant and week) in the same transaction as it queues the mails (sent after commit): a
second run the same week finds the row and sends nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, Membership
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.tenancy.models import Tenant

from .models import WeeklySummarySent, WeeklySummarySettings

# 1 program currency, 2 partners, 3 applications, 4 registrations (submitted and won), 5 approvals,
# 6 MDF requests waiting, 7 MDF claims waiting, 8 open churn alerts, 9 survey responses, and the surveys'
# NPS trend: 10 responses, 11 their 1-5 answers, 12 survey titles
FIGURE_QUERIES = 12


@dataclass(frozen=True)
class Week:
    """The Monday the summary is for, and the two 7-day periods it compares (local days)."""

    week_start: datetime.date

    @property
    def current(self) -> tuple[datetime.date, datetime.date]:
        """First and last day of the last 7 days."""
        return self.week_start - datetime.timedelta(days=7), self.week_start - datetime.timedelta(days=1)

    @property
    def previous(self) -> tuple[datetime.date, datetime.date]:
        return self.week_start - datetime.timedelta(days=14), self.week_start - datetime.timedelta(days=8)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime]:
        """Aware datetimes: start of the week before, start of the last 7 days, end (Monday 00:00)."""

        def midnight(day: datetime.date) -> datetime.datetime:
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        return (
            midnight(self.week_start - datetime.timedelta(days=14)),
            midnight(self.week_start - datetime.timedelta(days=7)),
            midnight(self.week_start),
        )


def week_of(day: datetime.date) -> Week:
    return Week(week_start=day - datetime.timedelta(days=day.weekday()))


@dataclass
class Line:
    """One line of the summary: ``now`` (this week, or the snapshot) and ``before`` (None for snapshots)."""

    key: str
    label: str
    now: Any
    before: Any = None
    url: str = ""
    money: bool = False

    @property
    def change(self) -> Any:
        if self.before is None or self.now is None:
            return None
        return self.now - self.before


@dataclass
class Summary:
    tenant_name: str
    week: Week
    currency: str
    lines: list[Line] = field(default_factory=list)
    nps_survey: str = ""

    def line(self, key: str) -> Line:
        return next(line for line in self.lines if line.key == key)


def _periods(field_name: str, week: Week) -> dict[str, Q]:
    before, start, end = week.bounds()
    return {
        "now": Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end}),
        "before": Q(**{f"{field_name}__gte": before, f"{field_name}__lt": start}),
    }


def _counts(queryset, field_name: str, week: Week) -> tuple[int, int]:
    periods = _periods(field_name, week)
    before, _start, end = week.bounds()
    row = queryset.filter(**{f"{field_name}__gte": before, f"{field_name}__lt": end}).aggregate(
        now=Count("id", filter=periods["now"]), before=Count("id", filter=periods["before"])
    )
    return row["now"], row["before"]


def _url(tenant: Tenant, name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs={"tenant_slug": tenant.slug})


def weekly_figures(*, tenant: Tenant, week: Week) -> Summary:
    """The summary's figures for ``week`` (tenant in scope, staff: no partner restriction). FIGURE_QUERIES queries."""
    from deals.models import DealRegistration, RegistrationDecision, RegistrationStatus
    from onboarding.models import PartnerApplication
    from partners.mdf import selectors as mdf_selectors
    from partners.mdf.models import ClaimStatus, RequestStatus
    from partners.mdf.services import program_currency
    from partners.models import PartnerOrganization
    from partners.surveys import selectors as survey_selectors
    from partners.surveys.models import SurveyResponse
    from scoring import selectors as scoring_selectors

    currency = program_currency(tenant=tenant)
    summary = Summary(tenant_name=tenant.name, week=week, currency=currency)
    partners_now, partners_before = _counts(PartnerOrganization.objects.filter(tenant=tenant), "created_at", week)
    applications = _counts(PartnerApplication.objects.filter(tenant=tenant), "submitted_at", week)

    since, _start, _end = week.bounds()
    submitted = _periods("submitted_at", week)
    (cur_first, cur_last), (prev_first, prev_last) = week.current, week.previous
    won = Q(status=RegistrationStatus.WON, currency=currency)
    recent = Q(submitted_at__gte=since) | Q(closed_on__gte=prev_first)  # the index-friendly outer bound
    deals = DealRegistration.objects.filter(recent, tenant=tenant).aggregate(
        submitted_now=Count("id", filter=submitted["now"]),
        submitted_before=Count("id", filter=submitted["before"]),
        won_now=Sum("closed_amount", filter=won & Q(closed_on__range=(cur_first, cur_last))),
        won_before=Sum("closed_amount", filter=won & Q(closed_on__range=(prev_first, prev_last))),
    )
    approvals = _counts(
        RegistrationDecision.objects.filter(tenant=tenant, to_status=RegistrationStatus.APPROVED), "decided_at", week
    )
    requests_waiting = mdf_selectors.request_queue(tenant=tenant, status=RequestStatus.SUBMITTED).count()
    claims_waiting = mdf_selectors.claim_queue(tenant=tenant, status=ClaimStatus.SUBMITTED).count()
    alerts = scoring_selectors.open_alerts().count()
    answers = _counts(SurveyResponse.objects.filter(tenant=tenant), "submitted_at", week)
    trend = survey_selectors.trend(tenant=tenant)
    nps = trend["nps"][-1] if trend["nps"] else None
    summary.nps_survey = trend["labels"][-1] if trend["labels"] else ""

    zero = Decimal("0.00")
    summary.lines = [
        Line("partners", "New partners", partners_now, partners_before, _url(tenant, "partners:list")),
        Line("applications", "Partner applications", *applications, _url(tenant, "onboarding:application_list")),
        Line(
            "registrations_submitted",
            "Deal registrations submitted",
            deals["submitted_now"],
            deals["submitted_before"],
            _url(tenant, "deals:queue"),
        ),
        Line("registrations_approved", "Deal registrations approved", *approvals, _url(tenant, "deals:queue")),
        Line(
            "won_revenue",
            f"Closed-won partner revenue ({currency})",
            deals["won_now"] or zero,
            deals["won_before"] or zero,
            _url(tenant, "pipeline:board"),
            money=True,
        ),
        Line("mdf_requests_waiting", "MDF requests waiting for a decision", requests_waiting, None, _url(tenant, "mdf:requests")),
        Line("mdf_claims_waiting", "MDF claims waiting for a decision", claims_waiting, None, _url(tenant, "mdf:claims")),
        Line("churn_alerts", "Open churn alerts", alerts, None, _url(tenant, "scoring:churn")),
        Line("psat_answers", "PSAT survey answers", *answers, _url(tenant, "surveys:list")),
        Line("nps", "Current NPS", None if nps is None else round(nps), None, _url(tenant, "surveys:list")),
    ]
    return summary


# --- who gets it ---------------------------------------------------------------------------------


def summary_settings(*, tenant: Tenant) -> WeeklySummarySettings:
    """The tenant's settings row, or the defaults (unsaved) when it has none. One query."""
    return WeeklySummarySettings.objects.filter(tenant=tenant).first() or WeeklySummarySettings(tenant=tenant)


def summary_candidates(*, tenant: Tenant) -> list[tuple[int, str, str]]:
    """(user id, name, email) of the active owners and partner managers, by email: who may receive it. One query."""
    rows = (
        Membership.objects.filter(
            tenant=tenant, partner__isnull=True, role__in=PARTNER_EDITOR_ROLES, is_active=True, user__is_active=True
        )
        .order_by("user__email")
        .values_list("user_id", "user__full_name", "user__email")
    )
    return [(pk, name, email) for pk, name, email in rows if email]


def summary_recipients(*, tenant: Tenant, settings_row: WeeklySummarySettings) -> list[str]:
    """The addresses the summary goes to: candidates minus those opted out; none when turned off."""
    if not settings_row.enabled:
        return []
    opted_out = set(settings_row.opted_out or [])
    return [email for pk, _name, email in summary_candidates(tenant=tenant) if pk not in opted_out]


def summary_settings_save(*, tenant: Tenant, actor: Any, enabled: bool, recipients: list[int]) -> WeeklySummarySettings:
    """Turn the summary on or off and choose who receives it (``recipients``: user ids among the candidates;
    the other candidates are opted out). Ids that are not candidates are ignored (the form offers only them)."""
    candidates = {pk for pk, _name, _email in summary_candidates(tenant=tenant)}
    opted_out = sorted(candidates - set(recipients))
    with transaction.atomic():
        row, _created = WeeklySummarySettings.objects.select_for_update().get_or_create(tenant=tenant)
        row.enabled = enabled
        row.opted_out = opted_out
        row.updated_by = person_of(actor)
        row.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="economics.weekly_summary_settings",
            target=row,
            changes={"enabled": enabled, "opted_out": opted_out},
        )
    return row


# --- the mail ------------------------------------------------------------------------------------


def summary_subject(summary: Summary) -> str:
    first, last = summary.week.current
    return f"{summary.tenant_name}: your partner program, {first:%d %b} – {last:%d %b %Y}"


def render_summary(*, tenant: Tenant, summary: Summary) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the summary."""
    context = {
        "summary": summary,
        "tenant": tenant,
        "settings_url": _url(tenant, "economics:summary_settings"),
    }
    return (
        summary_subject(summary),
        render_to_string("economics/email/weekly_summary.txt", context),
        render_to_string("economics/email/weekly_summary.html", context),
    )


def weekly_summary_send(*, tenant: Tenant, today: datetime.date | None = None) -> int:
    """Email this week's summary to the tenant's recipients, once per tenant and week. Returns how many
    addresses it went to (0: turned off, nobody to send to, or already sent this week).

    The week is recorded (unique per tenant and week) in the same transaction that queues the mail;
    the mail leaves after commit, so a rolled-back run sends nothing and a second run finds the row.
    """
    week = week_of(today or timezone.localdate())
    settings_row = summary_settings(tenant=tenant)
    recipients = summary_recipients(tenant=tenant, settings_row=settings_row)
    if not recipients or WeeklySummarySent.objects.filter(tenant=tenant, week_start=week.week_start).exists():
        return 0
    summary = weekly_figures(tenant=tenant, week=week)
    subject, text, html = render_summary(tenant=tenant, summary=summary)
    try:
        with transaction.atomic():
            sent = WeeklySummarySent.objects.create(tenant=tenant, week_start=week.week_start, recipients=len(recipients))
    except IntegrityError:  # another run of the same week got there first
        return 0
    audit_record(
        tenant=tenant,
        actor=None,
        action="economics.weekly_summary_sent",
        target=sent,
        changes={"week_start": week.week_start.isoformat(), "recipients": len(recipients)},
    )
    messages = []
    for address in recipients:  # one mail each: no recipient sees the others' addresses
        message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    transaction.on_commit(lambda: get_connection().send_messages(messages))
    return len(recipients)
