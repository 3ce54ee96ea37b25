"""Program setup by the vendor's own staff: onboarding templates and their steps, agreement versions,
the security questionnaire. Every change audited; every related row checked to be of the tenant."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerType

from .models import AgreementVersion, OnboardingTemplate, OnboardingTemplateStep, SecurityQuestion, StepKind


def _required(value: str | None, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, code="required", field=field)
    return value[:limit]


def template_create(*, tenant: Tenant, actor: Any, name: str, partner_type: str) -> OnboardingTemplate:
    """A new active template for a partner type (blank: the general one). One active template per type."""
    name = _required(name, "name", _("Name the template."), 120)
    if partner_type and partner_type not in PartnerType.values:
        raise ApplicationError(_("Choose a partner type from the list."), code="invalid_choice", field="partner_type")
    try:
        with transaction.atomic():
            template = OnboardingTemplate.objects.create(tenant=tenant, name=name, partner_type=partner_type or "")
            audit_record(
                tenant=tenant, actor=actor, action="setup.template_create", target=template, changes={"type": partner_type}
            )
    except IntegrityError:
        raise ApplicationError(
            _("There is already an active template for this partner type."), code="duplicate_template", field="partner_type"
        ) from None
    return template


def template_step_add(
    *,
    tenant: Tenant,
    actor: Any,
    template: OnboardingTemplate,
    kind: str,
    title: str,
    due_days: int,
    depends_on: list[int],
    agreement: AgreementVersion | None = None,
    valid_months: int | None = None,
) -> OnboardingTemplateStep:
    """Append a step. Agreement steps name an agreement version; dependencies must be earlier steps."""
    title = _required(title, "title", _("Give the step a title."), 200)
    if kind not in StepKind.values:
        raise ApplicationError(_("Choose a kind of step."), code="invalid_choice", field="kind")
    if kind == StepKind.AGREEMENT and agreement is None:
        raise ApplicationError(_("Choose the agreement to sign."), code="required", field="agreement")
    if agreement is not None and agreement.tenant_id != tenant.pk:
        raise ApplicationError(_("Choose an agreement of this program."), code="invalid_choice", field="agreement")
    with transaction.atomic():
        positions = set(OnboardingTemplateStep.objects.filter(template=template).values_list("position", flat=True))
        position = max(positions, default=0) + 1
        unknown = sorted(set(depends_on) - positions)
        if unknown:
            raise ApplicationError(
                _("A step can only depend on earlier steps (not %(steps)s).") % {"steps": ", ".join(map(str, unknown))},
                code="invalid_dependency",
                field="depends_on",
            )
        step = OnboardingTemplateStep.objects.create(
            tenant=tenant,
            template=template,
            position=position,
            kind=kind,
            title=title,
            due_days=due_days,
            depends_on=sorted(set(depends_on)),
            agreement=agreement if kind == StepKind.AGREEMENT else None,
            valid_months=valid_months if kind == StepKind.SECURITY_REVIEW else None,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="setup.template_step_add",
            target=template,
            changes={"position": position, "kind": kind, "title": title},
        )
    return step


def template_step_remove(*, tenant: Tenant, actor: Any, template: OnboardingTemplate, position: int) -> None:
    """Remove the last step only, so dependencies (which point at earlier steps) never dangle.

    Plans already copied from the template keep their steps.
    """
    with transaction.atomic():
        steps = list(OnboardingTemplateStep.objects.select_for_update().filter(template=template).order_by("position"))
        if not steps or steps[-1].position != position:
            raise ApplicationError(_("Only the last step can be removed."), code="not_last_step")
        removed = steps[-1]
        removed.delete()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="setup.template_step_remove",
            target=template,
            changes={"position": position, "title": removed.title},
        )


def agreement_version_add(*, tenant: Tenant, actor: Any, title: str, version: str, body: str) -> AgreementVersion:
    """A new version: existing ones never change, because signatures point at the exact text."""
    title = _required(title, "title", _("Name the agreement."), 200)
    version = _required(version, "version", _("Give the version, for example 2027.1."), 40)
    body = _required(body, "body", _("Paste the agreement's text."), 100_000)
    try:
        with transaction.atomic():
            agreement = AgreementVersion.objects.create(tenant=tenant, title=title, version=version, body=body)
            audit_record(tenant=tenant, actor=actor, action="setup.agreement_add", target=agreement, changes={"version": version})
    except IntegrityError:
        raise ApplicationError(_("This agreement already has that version."), code="duplicate_version", field="version") from None
    return agreement


def security_question_add(*, tenant: Tenant, actor: Any, text: str, risk_points: int) -> SecurityQuestion:
    text = _required(text, "text", _("Write the question."), 300)
    if not 0 <= risk_points <= 100:
        raise ApplicationError(_("Use 0 to 100 risk points."), code="out_of_range", field="risk_points")
    with transaction.atomic():
        position = (
            SecurityQuestion.objects.filter(tenant=tenant).order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
        question = SecurityQuestion.objects.create(tenant=tenant, text=text, risk_points=risk_points, position=position)
        audit_record(
            tenant=tenant, actor=actor, action="setup.question_add", target=question, changes={"risk_points": risk_points}
        )
    return question


def security_question_retire(*, tenant: Tenant, actor: Any, question: SecurityQuestion) -> SecurityQuestion:
    """Stop asking a question. Past answers keep their text (answers store it)."""
    with transaction.atomic():
        if question.is_active:
            question.is_active = False
            question.save(update_fields=["is_active"])
            audit_record(tenant=tenant, actor=actor, action="setup.question_retire", target=question)
    return question
