"""MDF return prediction in the product: the tenant's past campaigns from the database, and the
prediction for one request (:mod:`scoring.mdf_return` defines it), shown to the approving manager.

A **past campaign** is a request that was approved (fully or partly) or completed and whose end date is
before today. Its spend is the approved amount of its approved or paid claims; its pipeline the value of
the deal registrations tagged with it, in the campaign's currency; its won revenue the closed amounts of
those registrations that were won. One query, with the three sums as subqueries.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pandas as pd
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from deals.models import DealRegistration
from deals.models.registrations import RegistrationStatus
from partners.mdf.models import SPENT_STATUSES, MdfClaim, MdfRequest, RequestStatus

from .mdf_return import NoPrediction, ReturnPrediction, predict_return

PAST_STATUSES = (RequestStatus.APPROVED, RequestStatus.PARTIALLY_APPROVED, RequestStatus.COMPLETED)
MONEY = DecimalField(max_digits=16, decimal_places=2)


def _sum(queryset, field: str, *, per: str) -> Coalesce:
    """The sum of ``field`` over ``queryset`` (correlated to the outer campaign by ``per``), 0 when none."""
    total = queryset.order_by().values(per).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), Value(Decimal(0)), output_field=MONEY)


def past_campaigns(*, today: datetime.date | None = None, exclude_id: int | None = None) -> pd.DataFrame:
    """Columns activity_type, partner_type, spend, pipeline, won; one row per past campaign (staff scope)."""
    today = today or timezone.localdate()
    tagged = DealRegistration.objects.filter(mdf_request=OuterRef("pk"), currency=OuterRef("currency"))
    rows = (
        MdfRequest.objects.filter(status__in=PAST_STATUSES, end_date__lt=today)
        .exclude(pk=exclude_id)
        .annotate(
            partner_type=F("partner__partner_type"),
            spend=_sum(
                MdfClaim.objects.filter(request=OuterRef("pk"), status__in=SPENT_STATUSES), "approved_amount", per="request_id"
            ),
            pipeline=_sum(tagged, "value", per="mdf_request_id"),
            won=_sum(tagged.filter(status=RegistrationStatus.WON), "closed_amount", per="mdf_request_id"),
        )
        .values_list("activity_type", "partner_type", "spend", "pipeline", "won")
    )
    frame = pd.DataFrame(list(rows), columns=["activity_type", "partner_type", "spend", "pipeline", "won"])
    for column in ("spend", "pipeline", "won"):
        frame[column] = frame[column].astype(float)
    return frame


def mdf_return_for(request: MdfRequest, *, today: datetime.date | None = None) -> ReturnPrediction | NoPrediction:
    """The predicted pipeline and ROPI of ``request`` at its planned spend, from the other past campaigns."""
    past = past_campaigns(today=today, exclude_id=request.pk)
    return predict_return(
        past,
        activity_type=request.activity_type,
        partner_type=request.partner.partner_type,
        planned_spend=float(request.planned_spend),
    )
