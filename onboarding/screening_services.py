"""Denied-party screening in the database: the tenant's list, screening applicants and partners,
clearing matches. The matching itself (normalising, scoring, parsing) is in onboarding.screening."""

from __future__ import annotations

from typing import IO, Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.jobs.services import job_progress
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus

from .models import ApplicationStatus, DeniedParty, MatchStatus, PartnerApplication, ScreeningList, ScreeningMatch
from .screening import DEFAULT_THRESHOLD, MatchScore, ScreeningEntry, parse_screening_csv, screen, tsquery_for

CANDIDATE_LIMIT = 200  # parties fetched through the index before scoring; ranked, best first


def screening_list_upload(*, tenant: Tenant, actor: Any, source: IO[bytes] | bytes | str, file_name: str) -> ScreeningList:
    """Replace the tenant's list with this file. Any bad row: nothing is imported (ScreeningListInvalid lists them all)."""
    parsed = parse_screening_csv(source)
    entries = parsed.entries_or_raise()
    with transaction.atomic():
        DeniedParty.objects.filter(tenant=tenant).delete()
        screening_list = ScreeningList.objects.create(
            tenant=tenant,
            file_name=(file_name or "list.csv")[:200],
            layout=parsed.layout or "",
            entries=len(entries),
            uploaded_by=person_of(actor),
        )
        DeniedParty.objects.bulk_create(
            (
                DeniedParty(
                    tenant=tenant,
                    screening_list=screening_list,
                    name=entry.name[:300],
                    aliases=[a[:300] for a in entry.aliases],
                    country=entry.country or "",
                    program=(entry.program or "")[:200],
                    search_terms=entry.search_terms,
                )
                for entry in entries
            ),
            batch_size=5000,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="screening.list_upload",
            target=screening_list,
            changes={"file": screening_list.file_name, "entries": len(entries)},
        )
    return screening_list


def candidates(*, tenant: Tenant, name: str) -> list[ScreeningEntry]:
    """Listed parties sharing a word (or its sound) with ``name``, through the GIN index. One query."""
    query = tsquery_for(name)
    if not query:
        return []
    rows = (
        DeniedParty.objects.filter(tenant=tenant)
        .annotate(document=SearchVector("search_terms", config="simple"))
        .filter(document=SearchQuery(query, search_type="raw", config="simple"))
        .values_list("name", "aliases", "country", "program")[:CANDIDATE_LIMIT]
    )
    return [ScreeningEntry(name=n, aliases=tuple(a), country=c or None, program=p) for n, a, c, p in rows]


def screen_name(*, tenant: Tenant, name: str, country: str | None, threshold: float = DEFAULT_THRESHOLD) -> list[MatchScore]:
    return screen(name, country, candidates(tenant=tenant, name=name), threshold=threshold)


def _record_matches(*, tenant: Tenant, matches: list[MatchScore], subject_name: str, **subject: Any) -> int:
    """Open a match per listed party not seen before for this subject (cleared ones stay cleared)."""
    known = set(ScreeningMatch.objects.filter(tenant=tenant, **subject).values_list("listed_name", flat=True))
    new = [match for match in matches if match.entry and match.entry.name[:300] not in known]
    ScreeningMatch.objects.bulk_create(
        ScreeningMatch(
            tenant=tenant,
            subject_name=subject_name[:300],
            listed_name=match.entry.name[:300],
            listed_country=match.entry.country or "",
            listed_program=(match.entry.program or "")[:200],
            score=round(match.score, 1),
            reasons=match.reasons,
            **subject,
        )
        for match in new
    )
    return len(new)


def screen_application(*, tenant: Tenant, application: PartnerApplication) -> int:
    matches = screen_name(tenant=tenant, name=application.company_name, country=application.country.code or None)
    return _record_matches(tenant=tenant, matches=matches, subject_name=application.company_name, application=application)


def screen_partner(*, tenant: Tenant, partner: PartnerOrganization) -> int:
    matches = screen_name(tenant=tenant, name=partner.name, country=partner.country.code or None)
    return _record_matches(tenant=tenant, matches=matches, subject_name=partner.name, partner=partner)


def require_no_open_match(*, tenant: Tenant, application: PartnerApplication) -> None:
    if ScreeningMatch.objects.filter(tenant=tenant, application=application, status=MatchStatus.OPEN).exists():
        raise ApplicationError(
            _("This applicant matches the denied-party list. Review and clear the match before approving."),
            code="screening_match_open",
        )


def screening_match_clear(*, tenant: Tenant, actor: Any, match: ScreeningMatch, reason: str) -> ScreeningMatch:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say why this is not the listed party: it goes into the record."), code="required", field="reason"
        )
    with transaction.atomic():
        locked = ScreeningMatch.objects.select_for_update().get(pk=match.pk)
        if locked.status == MatchStatus.OPEN:
            locked.status = MatchStatus.CLEARED
            locked.cleared_by = person_of(actor)
            locked.cleared_reason = reason[:500]
            locked.cleared_at = timezone.now()
            locked.save(update_fields=["status", "cleared_by", "cleared_reason", "cleared_at"])
            audit_record(
                tenant=tenant,
                actor=actor,
                action="screening.match_clear",
                target=locked,
                changes={"listed": locked.listed_name, "subject": locked.subject_name, "reason": reason[:500]},
            )
    return locked


def rescreen_everyone(*, tenant: Tenant, job_id: int | None = None) -> dict[str, int]:
    """Screen every waiting application and every partner that is not retired against the current list.

    Runs in chunks, each its own transaction, so progress shows while it runs (a job, see tasks).
    """
    with tenant_atomic():
        application_ids = list(
            PartnerApplication.objects.filter(tenant=tenant, status=ApplicationStatus.SUBMITTED).values_list("pk", flat=True)
        )
        partner_ids = list(
            PartnerOrganization.objects.filter(tenant=tenant).exclude(status=PartnerStatus.RETIRED).values_list("pk", flat=True)
        )
    total = len(application_ids) + len(partner_ids) or 1
    done = new_matches = 0
    for model, ids, screen_one in (
        (PartnerApplication, application_ids, lambda obj: screen_application(tenant=tenant, application=obj)),
        (PartnerOrganization, partner_ids, lambda obj: screen_partner(tenant=tenant, partner=obj)),
    ):
        for start in range(0, len(ids), 200):
            with tenant_atomic():
                for obj in model.objects.filter(pk__in=ids[start : start + 200]):
                    new_matches += screen_one(obj)
                    done += 1
            if job_id is not None:
                job_progress(job_id=job_id, progress=int(done * 99 / total), message=f"screened {done} of {total}")
    return {"screened": done, "new_matches": new_matches}
