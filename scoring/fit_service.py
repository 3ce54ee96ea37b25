"""Ideal partner profile: build it from the tenant's members, store it in the registry, score candidates.

- :func:`fit_members_table` reads every partner of the tenant (staff scope) in a constant number of
  queries and returns the engine's table: traits (type, country, size, regions, capabilities), the
  closed-won revenue of the last 365 days, certified people, time to value, eligibility and ``top``.
  *Size* is the expected deal volume of the partner's approved application (none: missing);
  *time to value* is the days from joining (the partner's record created) to its first won deal.
- :func:`fit_profile_train` builds the profile (:mod:`scoring.fit.profile`) and stores it as the next
  :class:`~scoring.models.PredictionModel` of kind ``fit`` (the registry audits and activates it), or
  returns the reason when the history is too short (nothing stored).
- :func:`fit_scores_refresh` scores every open application and every prospect or onboarding partner
  with the active profile: one :class:`~scoring.models.FitScore` per subject (replaced each time), and
  ``PartnerApplication.fit_score`` so the review queue can sort by it.
  :func:`fit_score_application` does the same for one application (soon after it is submitted).

Everything runs in the tenant's staff scope, in the worker (the fitted profile is only loaded there).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Min
from django.utils import timezone
from django_countries import countries

from deals.models import DealRegistration
from deals.models.registrations import DealStage
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from onboarding.models import ApplicationStatus, PartnerApplication
from onboarding.models.applications import DealVolume
from partners.models import Capability, PartnerOrganization, PartnerStatus, PartnerType, Region

from .facts import partner_facts
from .fit import profile as engine
from .models import FitScore, ModelKind, PredictionModel
from .registry import active_model, prediction_model_load, prediction_model_store

METHOD = "weight_of_evidence"
OPEN_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED,)  # the only status waiting for review
PROSPECT_STATUSES = (PartnerStatus.PROSPECT, PartnerStatus.ONBOARDING)
ELIGIBLE_STATUSES = (PartnerStatus.ACTIVE,)
TRAIT_COLUMNS = list(engine.TRAITS)

# Partner types in the plural, as a reason sentence reads them ("Managed service providers are …").
PARTNER_TYPE_PLURALS = {
    PartnerType.RESELLER: "Resellers",
    PartnerType.MSP: "Managed service providers",
    PartnerType.ISV: "Independent software vendors",
    PartnerType.SI: "System integrators",
    PartnerType.GSI: "Global system integrators",
    PartnerType.DISTRIBUTOR: "Distributors",
    PartnerType.REFERRAL: "Referral partners",
    PartnerType.INFLUENCER: "Influence partners",
}
TRAIT_LABELS = {
    "partner_type": "Partner type",
    "capabilities": "Capabilities",
    "regions": "Regions",
    "country": "Country",
    "size": "Expected deal volume",
}


@dataclass(frozen=True)
class FitTraining:
    """The outcome of a training attempt: the stored model, or None and the reason."""

    model: PredictionModel | None
    reason: str
    eligible: int
    top: int


def fit_labels() -> dict[str, dict[str, str]]:
    """What a person reads for each trait value (one query: the tenant's capability names)."""
    return {
        "partner_type": {str(k): v for k, v in PARTNER_TYPE_PLURALS.items()},
        "regions": {value: str(label) for value, label in Region.choices},
        "size": {value: str(label) for value, label in DealVolume.choices},
        "country": {code: str(name) for code, name in countries},
        "capabilities": dict(Capability.objects.values_list("slug", "name")),
    }


def fit_members_table(*, as_of: datetime.date | None = None) -> pd.DataFrame:
    """Every partner of the tenant in scope, sorted by id, with its traits, figures, eligibility and ``top``.

    Queries: partners, approved applications (size), first won deals (time to value), and
    :func:`scoring.facts.partner_facts` (revenue, certified people; a fixed handful).
    """
    as_of = as_of or timezone.localdate()
    partners = list(
        PartnerOrganization.objects.order_by("pk").values_list(
            "pk", "partner_type", "country", "regions", "capabilities", "status", "created_at"
        )
    )
    ids = np.array([p[0] for p in partners], dtype=np.int64)
    sizes = _sizes()
    first_wins = dict(
        DealRegistration.objects.filter(stage=DealStage.CLOSED_WON, closed_on__isnull=False)
        .order_by()
        .values("partner_id")
        .annotate(first=Min("closed_on"))
        .values_list("partner_id", "first")
    )
    facts = partner_facts(as_of=as_of, partner_ids=ids) if len(ids) else {}
    joined = [timezone.localtime(p[6]).date() for p in partners]
    table = pd.DataFrame(
        {
            "partner_id": ids,
            "partner_type": [p[1] or None for p in partners],
            "country": [str(p[2]) or None for p in partners],
            "size": [sizes.get(p[0]) for p in partners],
            "regions": [list(p[3] or []) for p in partners],
            "capabilities": [list(p[4] or []) for p in partners],
            "status": [p[5] for p in partners],
            "days_in_program": [(as_of - day).days for day in joined],
            "revenue": (facts["revenue_recent"] + facts["revenue_previous"]) if len(ids) else np.zeros(0),
            "certified_people": facts["certified_people"] if len(ids) else np.zeros(0),
            "time_to_value_days": [
                float(max((first_wins[p[0]] - day).days, 0)) if p[0] in first_wins else np.nan
                for p, day in zip(partners, joined, strict=True)
            ],
        }
    )
    table["eligible"] = table["status"].isin(ELIGIBLE_STATUSES) & (table["days_in_program"] >= engine.MIN_DAYS_IN_PROGRAM)
    table["top"] = engine.top_performers(table["revenue"].to_numpy(), table["eligible"].to_numpy())
    return table


def _sizes() -> dict[int, str]:
    """Each partner's expected deal volume from its approved application (the latest decision wins)."""
    return dict(
        PartnerApplication.objects.filter(status=ApplicationStatus.APPROVED, partner__isnull=False)
        .order_by("decided_at", "pk")
        .values_list("partner_id", "expected_deal_volume")
    )


def fit_history_check(*, as_of: datetime.date | None = None) -> tuple[bool, str, int, int]:
    """(enough, reason, eligible partners, top performers) for the tenant in scope, as training sees it."""
    table = fit_members_table(as_of=as_of)
    eligible, top = int(table["eligible"].sum()), int(table["top"].sum())
    enough, reason = engine.enough_history(eligible, top)
    return enough, reason, eligible, top


def fit_profile_train(*, tenant: Tenant, actor: Any, job=None, as_of: datetime.date | None = None) -> FitTraining:
    """Build the tenant's ideal partner profile from its members and store it as the active ``fit`` model.

    With too little history (:func:`scoring.fit.profile.enough_history`) nothing is stored and the
    outcome carries the reason. The registry writes the audit rows (register, activate).
    """
    as_of = as_of or timezone.localdate()
    with tenant_atomic():
        table = fit_members_table(as_of=as_of)
        labels = fit_labels()
    members = table[table["eligible"]].reset_index(drop=True)
    eligible, top = len(members), int(members["top"].sum())
    enough, reason = engine.enough_history(eligible, top)
    if not enough:
        return FitTraining(model=None, reason=reason, eligible=eligible, top=top)
    hashed = members[["partner_id", *TRAIT_COLUMNS, "top"]]
    profile = engine.FitProfile.fit(members)
    loo_auc = engine.leave_one_out_auc(members)
    lpo_auc = engine.leave_pair_out_auc(members)
    metrics = {
        "as_of": as_of.isoformat(),
        "eligible": eligible,
        "top": top,
        "others": eligible - top,
        "partners": len(table),
        "top_revenue_threshold": round(float(members.loc[members["top"], "revenue"].min()), 2),
        "loo_auc": None if loo_auc is None else round(loo_auc, 4),
        "lpo_auc": None if lpo_auc is None else round(lpo_auc, 4),
        "alpha": engine.ALPHA,
        "definition": {
            "min_days_in_program": engine.MIN_DAYS_IN_PROGRAM,
            "revenue_window_days": engine.REVENUE_WINDOW_DAYS,
            "top_share": f"1/{engine.TOP_SHARE}",
            "statuses": list(ELIGIBLE_STATUSES),
        },
        "profile": profile.summary(labels=labels),
        "descriptive": engine.describe_top(members),
        "history": reason,
    }
    model = prediction_model_store(
        tenant=tenant,
        actor=actor,
        kind=ModelKind.FIT,
        fitted=profile,
        method=METHOD,
        window_start=as_of - datetime.timedelta(days=engine.REVENUE_WINDOW_DAYS),
        window_end=as_of,
        data_sha256=engine.table_hash(hashed),
        features=TRAIT_COLUMNS,
        metrics=metrics,
        job=job,
    )
    return FitTraining(model=model, reason=reason, eligible=eligible, top=top)


def _candidates(applications: list, partners: list, sizes: dict[int, str]) -> pd.DataFrame:
    rows = [
        {
            "partner_type": a.partner_type or None,
            "country": str(a.country) or None,
            "size": a.expected_deal_volume or None,
            "regions": list(a.regions or []),
            "capabilities": list(a.capabilities or []),
        }
        for a in applications
    ] + [
        {
            "partner_type": p.partner_type or None,
            "country": str(p.country) or None,
            "size": sizes.get(p.pk),
            "regions": list(p.regions or []),
            "capabilities": list(p.capabilities or []),
        }
        for p in partners
    ]
    return pd.DataFrame(rows, columns=TRAIT_COLUMNS)


def _store(*, tenant: Tenant, model: PredictionModel, applications: list, partners: list) -> int:
    """Score ``applications`` and ``partners`` with ``model`` and upsert their FitScore rows (and the
    applications' ``fit_score``). Call inside ``tenant_atomic``."""
    if not applications and not partners:
        return 0
    profile: engine.FitProfile = prediction_model_load(model)
    sizes = _sizes() if partners else {}
    table = _candidates(applications, partners, sizes)
    scores = profile.score(table)
    reasons = profile.reasons(table, labels=fit_labels())
    now = timezone.now()
    n = len(applications)

    def row(i: int, **subject) -> FitScore:
        return FitScore(
            tenant=tenant, score=round(float(scores[i]), 2), reasons=reasons[i], model=model, computed_at=now, **subject
        )

    update = ["score", "reasons", "model", "computed_at"]
    if applications:
        FitScore.objects.bulk_create(
            [row(i, application=a) for i, a in enumerate(applications)],
            update_conflicts=True,
            unique_fields=["application"],
            update_fields=update,
        )
        for i, application in enumerate(applications):
            application.fit_score = round(float(scores[i]), 2)
        # bulk_update sends no post_save: scoring an application does not ask to score it again.
        PartnerApplication.objects.bulk_update(applications, ["fit_score"], batch_size=1_000)
    if partners:
        FitScore.objects.bulk_create(
            [row(n + j, partner=p) for j, p in enumerate(partners)],
            update_conflicts=True,
            unique_fields=["partner"],
            update_fields=update,
        )
    return len(applications) + len(partners)


def fit_scores_refresh(*, tenant: Tenant) -> int:
    """Score every open application and every prospect or onboarding partner with the active profile;
    returns how many (0 without a profile: nothing is written)."""
    with tenant_atomic():
        model = active_model(ModelKind.FIT)
        if model is None:
            return 0
        applications = list(PartnerApplication.objects.filter(status__in=OPEN_APPLICATION_STATUSES).order_by("pk"))
        partners = list(PartnerOrganization.objects.filter(status__in=PROSPECT_STATUSES).order_by("pk"))
        return _store(tenant=tenant, model=model, applications=applications, partners=partners)


def fit_score_application(*, tenant: Tenant, application: PartnerApplication) -> FitScore | None:
    """Score one application with the active profile (None without a profile, or once it is decided)."""
    with tenant_atomic():
        model = active_model(ModelKind.FIT)
        if model is None or application.status not in OPEN_APPLICATION_STATUSES:
            return None
        _store(tenant=tenant, model=model, applications=[application], partners=[])
        return FitScore.objects.get(application=application)
