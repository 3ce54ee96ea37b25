"""Scoring settings in the API (vendor staff read, owners and partner managers change), as on the portal's
health settings page: ``scoring-settings/`` (the health score's weights and curve parameters, the churn
settings and the at-risk alerts) and ``churn-interventions/<id>/outcome/`` (what came of an intervention).
The same form, selectors and services as the portal pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES
from ecosystem.api.views import TenantViewSet

from .. import churn_service
from ..forms import PARAMETER_LABELS, ScoringSettingsForm
from ..health import score as engine
from ..models import Intervention, InterventionOutcome, ScoringSettings
from ..services import scoring_settings_update
from .views import InterventionSerializer


class HealthWeightsSerializer(serializers.Serializer):
    """One weight per component of the health score (relative: they need not sum to 100)."""

    def get_fields(self):
        return {name: serializers.FloatField(min_value=0) for name in engine.COMPONENTS}


class HealthParametersSerializer(serializers.Serializer):
    """The curves' parameters (the engine's defaults where the program has not changed them)."""

    def get_fields(self):
        return {name: serializers.FloatField(min_value=0, help_text=str(label)) for name, label in PARAMETER_LABELS.items()}


class ScoringSettingsSerializer(serializers.Serializer):
    weights = HealthWeightsSerializer()
    parameters = HealthParametersSerializer()
    inactive_after_days = serializers.IntegerField(
        min_value=1,
        max_value=730,
        help_text="A partner is inactive after this many days without a login, a registration or training.",
    )
    at_risk_threshold = serializers.FloatField(min_value=0, max_value=1, help_text="Churn probability that raises an alert.")
    partners_see_churn = serializers.BooleanField(help_text="Partners see their own churn probability.")
    alert_emails = serializers.BooleanField(help_text="Email the managers about new at-risk partners.")
    alert_webhook_url = serializers.URLField(
        max_length=500, allow_blank=True, help_text="Receives a signed JSON POST for each new at-risk alert; blank for none."
    )
    alert_webhook_secret = serializers.CharField(
        read_only=True,
        help_text="HMAC-SHA256 key of the X-PRM-Signature header. Shown to callers who may change the settings; blank otherwise.",
    )


_WEIGHTS_EXAMPLE = dict(engine.DEFAULT_WEIGHTS)
_PARAMETERS_EXAMPLE = {name: float(getattr(engine.HealthParameters(), name)) for name in PARAMETER_LABELS}
_SETTINGS_EXAMPLE = {
    "weights": _WEIGHTS_EXAMPLE,
    "parameters": _PARAMETERS_EXAMPLE,
    "inactive_after_days": 90,
    "at_risk_threshold": 0.5,
    "partners_see_churn": False,
    "alert_emails": True,
    "alert_webhook_url": "https://hooks.northwind.example/prm/at-risk",
}


def _settings_body(settings: ScoringSettings | None, *, show_secret: bool) -> dict:
    """The effective settings (the defaults where nothing is stored), as the portal form shows them."""
    initial = ScoringSettingsForm.initial_for(settings)
    return {
        "weights": {name: initial[f"weight_{name}"] for name in engine.COMPONENTS},
        "parameters": {name: initial[name] for name in PARAMETER_LABELS},
        "inactive_after_days": initial["inactive_after_days"],
        "at_risk_threshold": initial["at_risk_threshold"],
        "partners_see_churn": initial["partners_see_churn"],
        "alert_emails": initial["alert_emails"],
        "alert_webhook_url": initial["alert_webhook_url"],
        "alert_webhook_secret": settings.alert_webhook_secret if settings is not None and show_secret else "",
    }


class ScoringSettingsViewSet(TenantViewSet):
    """``scoring-settings/``: one object per tenant (staff read; owners and partner managers replace it)."""

    model = ScoringSettings
    serializer_class = ScoringSettingsSerializer
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return ScoringSettings.objects.filter(tenant=self.tenant)

    def _may_change(self) -> bool:
        if self.api_key is not None:
            return self.api_key.can_write
        return self.membership is not None and self.membership.role in self.write_roles

    @extend_schema(
        responses={200: ScoringSettingsSerializer},
        examples=[
            OpenApiExample(
                "The settings",
                value={**_SETTINGS_EXAMPLE, "alert_webhook_secret": "9f2c" * 16},
                response_only=True,
            )
        ],
    )
    def retrieve(self, request, *args, **kwargs):
        """The weights, the curves' parameters, churn and alert settings in effect (defaults until first saved)."""
        return Response(_settings_body(self.scoped_queryset().first(), show_secret=self._may_change()))

    @extend_schema(
        request=ScoringSettingsSerializer,
        responses={200: ScoringSettingsSerializer},
        examples=[OpenApiExample("New weights", value=_SETTINGS_EXAMPLE, request_only=True)],
    )
    def update(self, request, *args, **kwargs):
        """Replace the settings (every field). Scores follow at the next computation. Audited; 400
        ``scoring_settings_invalid`` when the engine refuses a value (e.g. every weight zero)."""
        data = ScoringSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # the portal's form turns the values into what is stored (parameters only where they differ from the
        # engine's defaults), so both doors store the same thing
        form = ScoringSettingsForm(
            data={
                **{f"weight_{name}": value for name, value in values["weights"].items()},
                **values["parameters"],
                **{name: values[name] for name in ("inactive_after_days", "at_risk_threshold", "alert_webhook_url")},
                **{name: "on" for name in ("partners_see_churn", "alert_emails") if values[name]},
            }
        )
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        cleaned = form.cleaned_data
        saved = scoring_settings_update(
            tenant=self.tenant,
            actor=self.actor,
            weights=form.weights(),
            parameters=form.parameters(),
            inactive_after_days=cleaned["inactive_after_days"],
            at_risk_threshold=cleaned["at_risk_threshold"],
            partners_see_churn=cleaned["partners_see_churn"],
            alert_emails=cleaned["alert_emails"],
            alert_webhook_url=cleaned["alert_webhook_url"],
        )
        return Response(_settings_body(saved, show_secret=True))


class InterventionOutcomeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=InterventionOutcome.choices)


class InterventionViewSet(TenantViewSet):
    """``churn-interventions/<id>/outcome/``: record what came of an intervention (staff; editors change)."""

    model = Intervention
    serializer_class = InterventionSerializer

    def scoped_queryset(self):
        return Intervention.objects.all()

    @extend_schema(
        request=InterventionOutcomeInputSerializer,
        responses={200: InterventionSerializer},
        examples=[OpenApiExample("Re-engaged", value={"outcome": "retained"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, *args, **kwargs):
        """Set the outcome: ``pending`` (not known yet), ``retained`` or ``churned``. Audited."""
        intervention = self.get_object()  # 404 before any 400
        data = InterventionOutcomeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = churn_service.intervention_set_outcome(
            tenant=self.tenant, actor=self.actor, intervention=intervention, outcome=data.validated_data["outcome"]
        )
        return Response(InterventionSerializer(done).data)
