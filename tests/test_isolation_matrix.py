"""Tenant and partner isolation, probed on every tenant route the URL router knows.

Each route under ``/t/<tenant>/``, ``/p/<tenant>/`` and ``/api/v1/t/<tenant>/`` is requested by
every persona that must not reach tenant A's data, with A's ids in the path, the query string
and the body: the other tenant's staff (through A's address and through their own), a user of
the other partner in the same tenant, an anonymous visitor, and a member whose access was
revoked. Expected: 404 (401 or a login redirect for anonymous), none of A's ids anywhere in
the response, and A's data byte-for-byte unchanged.

A route that has no row in ``MATRIX`` fails ``test_every_tenant_route_is_in_the_matrix``; an API
operation in the OpenAPI schema that the matrix does not probe fails the schema test. So a
later issue cannot add a route and forget its isolation.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from deals.cosell import cosell_assign, cosell_invite
from deals.imports import staged_put
from deals.models import ImportBatch
from deals.tests.support import product_lines_for, submit_as
from ecosystem.accounts.models import Invitation, Membership
from ecosystem.api.services import api_key_create
from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_create
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import TenantModel
from onboarding.issuers import credential_issuer_save
from onboarding.learning import learner_tracks_set
from onboarding.models import LearningPath, LearningPathCourse, ScreeningMatch, SecurityEvidence, SecurityQuestion
from onboarding.services import application_submit
from onboarding.training import quiz_submit
from partners.content import content_create
from partners.models import PartnerOrganization, Tier, TierEvaluation
from tests.factories import PartnerFactory
from tests.fixtures import onboarding_plan_for, quiz_answers, training_course_for
from tests.isolation import AREAS
from tests.isolation.routes import Route, no_ids

TENANT_PREFIXES = ("t/<slug:tenant_slug>/", "p/<slug:tenant_slug>/", "api/v1/t/<slug:tenant_slug>/")


MATRIX: dict[str, Route] = {
    # imports, pipeline, bench (CRM imports: staff only; the pipeline: vendor, and each partner its own)
    "deal_imports:list": Route(no_ids, ("GET", "POST")),
    "deal_imports:staged": Route(lambda o: {"token": o["import_token"]}, ("GET", "POST")),
    "deal_imports:run": Route(lambda o: {"token": o["import_token"]}, ("POST",)),
    "deal_imports:job": Route(lambda o: {"job_id": o["import_job"]}, ("GET",)),
    "pipeline:board": Route(no_ids, ("GET",)),
    "partner_pipeline:board": Route(no_ids, ("GET",)),
    # vendor portal
    "portal:dashboard": Route(no_ids, ("GET",)),
    "portal:dashboard_refresh": Route(no_ids, ("POST",)),
    "portal:job_status": Route(lambda o: {"job_id": o["job"]}, ("GET",)),
    "portal:team": Route(no_ids, ("GET", "POST")),
    "portal:partner_invite": Route(lambda o: {"partner_id": o["partner"]}, ("POST",), partner_owned=True),
    "portal:invitation_revoke": Route(lambda o: {"invitation_id": o["invitation"]}, ("POST",), partner_owned=True),
    "portal:membership_deactivate": Route(lambda o: {"membership_id": o["membership"]}, ("POST",), partner_owned=True),
    "portal:api_keys": Route(no_ids, ("GET", "POST")),
    "portal:api_key_revoke": Route(lambda o: {"key_id": o["api_key"]}, ("POST",)),
    "portal:audit_log": Route(no_ids, ("GET",)),
    "portal:tenant_export": Route(no_ids, ("GET", "POST")),
    "portal:tenant_export_file": Route(lambda o: {"job_id": o["export_job"]}, ("GET",)),
    "partners:list": Route(no_ids, ("GET",)),
    "partners:create": Route(no_ids, ("GET", "POST")),
    "partners:detail": Route(lambda o: {"partner_id": o["partner"]}, ("GET",), partner_owned=True),
    "partners:edit": Route(lambda o: {"partner_id": o["partner"]}, ("GET", "POST"), partner_owned=True),
    "partners:retire": Route(lambda o: {"partner_id": o["partner"]}, ("POST",), partner_owned=True),
    "partners:reactivate": Route(lambda o: {"partner_id": o["partner"]}, ("POST",), partner_owned=True),
    # content library (the probe item is for resellers only: partner2, an MSP, must get 404)
    "content:list": Route(no_ids, ("GET",)),
    "content:create": Route(no_ids, ("GET", "POST")),
    "content:edit": Route(lambda o: {"item_id": o["content_item"]}, ("GET", "POST")),
    "content:unpublish": Route(lambda o: {"item_id": o["content_item"]}, ("POST",)),
    "partner_content:list": Route(no_ids, ("GET",)),
    "partner_content:download": Route(lambda o: {"item_id": o["content_item"]}, ("GET",)),
    # partner portal
    "partner_portal:dashboard": Route(no_ids, ("GET",)),
    "partner_portal:team": Route(no_ids, ("GET", "POST")),
    "partner_portal:invitation_revoke": Route(lambda o: {"invitation_id": o["invitation"]}, ("POST",), partner_owned=True),
    "partner_portal:membership_deactivate": Route(lambda o: {"membership_id": o["membership"]}, ("POST",), partner_owned=True),
    # API
    # onboarding, vendor side
    "onboarding:application_list": Route(no_ids, ("GET",)),
    "onboarding:application_detail": Route(lambda o: {"application_id": o["application"]}, ("GET",)),
    "onboarding:application_approve": Route(lambda o: {"application_id": o["application"]}, ("POST",)),
    "onboarding:application_reject": Route(lambda o: {"application_id": o["application"]}, ("POST",)),
    "onboarding:board": Route(no_ids, ("GET",)),
    "onboarding:evidence": Route(lambda o: {"evidence_id": o["evidence"]}, ("GET",), partner_owned=True),
    "onboarding:screening": Route(no_ids, ("GET", "POST")),
    "onboarding:screening_match_clear": Route(lambda o: {"match_id": o["screening_match"]}, ("POST",)),
    "onboarding:review_approve": Route(lambda o: {"step_id": o["step"]}, ("POST",), partner_owned=True),
    "onboarding:review_return": Route(lambda o: {"step_id": o["step"]}, ("POST",), partner_owned=True),
    # onboarding, partner side
    "partner_onboarding:mine": Route(no_ids, ("GET",)),
    "partner_onboarding:step": Route(lambda o: {"step_id": o["step"]}, ("GET", "POST"), partner_owned=True),
    "partner_onboarding:evidence_add": Route(lambda o: {"step_id": o["step"]}, ("POST",), partner_owned=True),
    "partner_onboarding:evidence": Route(lambda o: {"evidence_id": o["evidence"]}, ("GET",), partner_owned=True),
    # training
    "training:overview": Route(no_ids, ("GET",)),
    "training:certifications": Route(no_ids, ("GET",)),
    "training:certification_revoke": Route(lambda o: {"certification_id": o["certification"]}, ("POST",), partner_owned=True),
    "partner_training:catalogue": Route(no_ids, ("GET",)),
    "partner_training:course": Route(lambda o: {"course_id": o["course"]}, ("GET", "POST"), shared=True),
    "partner_training:certifications": Route(no_ids, ("GET",)),
    "partner_training:certification": Route(lambda o: {"certification_id": o["certification"]}, ("GET",), partner_owned=True),
    # program setup
    "setup:index": Route(no_ids, ("GET",)),
    "setup:template_create": Route(no_ids, ("POST",)),
    "setup:template_step_add": Route(lambda o: {"template_id": o["template"]}, ("POST",)),
    "setup:template_step_remove": Route(lambda o: {"template_id": o["template"], "position": 3}, ("POST",)),
    "setup:agreement_add": Route(no_ids, ("POST",)),
    "setup:question_add": Route(no_ids, ("POST",)),
    "setup:question_retire": Route(lambda o: {"question_id": o["question"]}, ("POST",)),
    "setup:capability_add": Route(no_ids, ("POST",)),
    "setup:tier_save": Route(no_ids, ("POST",)),
    "setup:tier_policy": Route(no_ids, ("POST",)),
    # training setup
    "setup:course_list": Route(no_ids, ("GET",)),
    "setup:course_create": Route(no_ids, ("GET", "POST")),
    "setup:course_edit": Route(lambda o: {"course_id": o["course"]}, ("GET", "POST")),
    "setup:course_publish": Route(lambda o: {"course_id": o["course"]}, ("POST",)),
    "setup:course_unpublish": Route(lambda o: {"course_id": o["course"]}, ("POST",)),
    "setup:module_add": Route(lambda o: {"course_id": o["course"]}, ("POST",)),
    "setup:module_edit": Route(lambda o: {"course_id": o["course"], "position": 1}, ("GET", "POST")),
    "setup:module_remove": Route(lambda o: {"course_id": o["course"], "position": 1}, ("POST",)),
    "setup:module_move": Route(lambda o: {"course_id": o["course"], "position": 1}, ("POST",)),
    "setup:quiz_question_add": Route(lambda o: {"course_id": o["course"]}, ("POST",)),
    "setup:quiz_question_edit": Route(lambda o: {"course_id": o["course"], "question_id": o["quiz_question"]}, ("GET", "POST")),
    "setup:quiz_question_remove": Route(lambda o: {"course_id": o["course"], "question_id": o["quiz_question"]}, ("POST",)),
    "setup:paths": Route(no_ids, ("GET", "POST")),
    "setup:path_course_add": Route(lambda o: {"path_id": o["learning_path"]}, ("POST",)),
    "setup:path_course_remove": Route(lambda o: {"path_id": o["learning_path"], "course_id": o["course"]}, ("POST",)),
    "setup:path_course_move": Route(lambda o: {"path_id": o["learning_path"], "course_id": o["course"]}, ("POST",)),
    "setup:issuers": Route(no_ids, ("GET",)),
    "setup:issuer_create": Route(no_ids, ("GET", "POST")),
    "setup:issuer_edit": Route(lambda o: {"issuer_slug": o["credential_issuer"]}, ("GET", "POST")),
    # tiers
    "tiers:ladder": Route(no_ids, ("GET",)),
    "tiers:evaluate": Route(no_ids, ("POST",)),
    "tiers:approve": Route(lambda o: {"partner_id": o["partner"]}, ("POST",), partner_owned=True),
    "tiers:override": Route(lambda o: {"partner_id": o["partner"]}, ("POST",), partner_owned=True),
    "tiers:decline": Route(lambda o: {"partner_id": o["partner"]}, ("POST",), partner_owned=True),
    "tiers:override_clear": Route(lambda o: {"partner_id": o["partner"]}, ("POST",), partner_owned=True),
    "partner_tiers:mine": Route(no_ids, ("GET",)),
    "api:partner-list": Route(no_ids, ("GET", "POST")),
    "api:partner-detail": Route(lambda o: {"public_id": o["partner"]}, ("GET", "PUT", "PATCH"), partner_owned=True),
    "api:job-list": Route(no_ids, ("GET", "POST")),
    "api:job-detail": Route(lambda o: {"public_id": o["job"]}, ("GET",)),
    "api:application-list": Route(no_ids, ("GET",)),
    "api:application-detail": Route(lambda o: {"public_id": o["application"]}, ("GET",)),
    "api:application-approve": Route(lambda o: {"public_id": o["application"]}, ("POST",)),
    "api:application-reject": Route(lambda o: {"public_id": o["application"]}, ("POST",)),
    "api:onboarding-plan-list": Route(no_ids, ("GET",)),
    "api:onboarding-plan-detail": Route(lambda o: {"public_id": o["plan"]}, ("GET",), partner_owned=True),
    "api:content-list": Route(no_ids, ("GET", "POST")),
    "api:content-detail": Route(lambda o: {"public_id": o["content_item"]}, ("GET", "PATCH")),
    "api:content-unpublish": Route(lambda o: {"public_id": o["content_item"]}, ("POST",)),
    "api:onboarding-step-detail": Route(lambda o: {"public_id": o["step"]}, ("GET",), partner_owned=True),
    "api:onboarding-step-review": Route(lambda o: {"public_id": o["step"]}, ("POST",), partner_owned=True),
    "api:course-list": Route(no_ids, ("GET", "POST")),
    "api:course-detail": Route(lambda o: {"public_id": o["course"]}, ("GET", "PUT")),
    "api:course-publish": Route(lambda o: {"public_id": o["course"]}, ("POST",)),
    "api:course-unpublish": Route(lambda o: {"public_id": o["course"]}, ("POST",)),
    "api:certification-list": Route(no_ids, ("GET",)),
    "api:certification-detail": Route(lambda o: {"public_id": o["certification"]}, ("GET",), partner_owned=True),
    "api:certification-revoke": Route(lambda o: {"public_id": o["certification"]}, ("POST",), partner_owned=True),
    # learning paths
    "training:partner_team": Route(lambda o: {"partner_id": o["partner"]}, ("GET",), partner_owned=True),
    "partner_training:team": Route(no_ids, ("GET",)),
    "partner_training:team_member": Route(lambda o: {"membership_id": o["membership"]}, ("GET", "POST"), partner_owned=True),
    "api:learner-list": Route(no_ids, ("GET",), own=True),  # partner admins: their own people
    "api:learner-detail": Route(lambda o: {"public_id": o["membership"]}, ("GET",), partner_owned=True),
    "api:learner-tracks": Route(lambda o: {"public_id": o["membership"]}, ("POST",), partner_owned=True),
    # partner-side onboarding API and logos
    "api:partner-onboarding-plan": Route(no_ids, ("GET",), own=True),
    "api:partner-onboarding-step-detail": Route(lambda o: {"public_id": o["step"]}, ("GET",), partner_owned=True),
    "api:partner-onboarding-step-sign": Route(lambda o: {"public_id": o["agreement_step"]}, ("POST",), partner_owned=True),
    "api:partner-onboarding-step-security-review": Route(lambda o: {"public_id": o["step"]}, ("POST",), partner_owned=True),
    "api:partner-onboarding-step-evidence": Route(lambda o: {"public_id": o["step"]}, ("POST",), partner_owned=True),
    "api:partner-onboarding-step-profile": Route(lambda o: {"public_id": o["step"]}, ("POST",), partner_owned=True),
    "api:partner-onboarding-step-complete": Route(lambda o: {"public_id": o["task_step"]}, ("POST",), partner_owned=True),
    "api:partner-onboarding-step-credential": Route(lambda o: {"public_id": o["step"]}, ("POST",), partner_owned=True),
    # partner-side training and content API (courses are program configuration every partner reads)
    "api:my-course-list": Route(no_ids, ("GET",), own=True),
    "api:my-course-detail": Route(lambda o: {"public_id": o["course"]}, ("GET",), shared=True),
    "api:my-course-quiz": Route(lambda o: {"public_id": o["course"]}, ("POST",), shared=True),
    "api:my-certification-list": Route(no_ids, ("GET",), own=True),
    "api:my-certification-detail": Route(lambda o: {"public_id": o["certification"]}, ("GET",), partner_owned=True),
    "api:my-content-list": Route(no_ids, ("GET",), own=True),
    "api:my-content-detail": Route(lambda o: {"public_id": o["content_item"]}, ("GET",), partner_owned=True),
    "api:my-content-download": Route(lambda o: {"public_id": o["content_item"]}, ("GET",), partner_owned=True),
    "deals:takeover": Route(lambda o: {"registration_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    # customer accounts (vendor portal)
    "customer_accounts:list": Route(no_ids, ("GET", "POST")),
    "api:partner-retire": Route(lambda o: {"public_id": o["partner"]}, ("POST",), partner_owned=True),
    "api:partner-reactivate": Route(lambda o: {"public_id": o["partner"]}, ("POST",), partner_owned=True),
    "api:partner-logo": Route(lambda o: {"public_id": o["partner"]}, ("PUT", "DELETE"), partner_owned=True),
    "partners:logo": Route(lambda o: {"partner_id": o["partner"]}, ("GET",), partner_owned=True),
    "partner_partners:logo": Route(lambda o: {"partner_id": o["partner"]}, ("GET",), partner_owned=True),
    # tiers and screening API
    "api:tier-list": Route(no_ids, ("GET", "POST")),
    "api:tier-detail": Route(lambda o: {"public_id": o["tier"]}, ("GET",)),
    "api:tier-evaluate": Route(no_ids, ("POST",)),
    "api:tier-change-list": Route(no_ids, ("GET",)),
    "api:tier-proposal-list": Route(no_ids, ("GET",)),
    "api:tier-proposal-approve": Route(lambda o: {"public_id": o["partner"]}, ("POST",), partner_owned=True),
    "api:tier-standing-detail": Route(lambda o: {"public_id": o["partner"]}, ("GET",), partner_owned=True),
    "api:tier-standing-override": Route(lambda o: {"public_id": o["partner"]}, ("POST",), partner_owned=True),
    "api:tier-proposal-decline": Route(lambda o: {"public_id": o["partner"]}, ("POST",), partner_owned=True),
    "api:tier-standing-override-clear": Route(lambda o: {"public_id": o["partner"]}, ("POST",), partner_owned=True),
    "api:my-tier": Route(no_ids, ("GET",), own=True),
    "api:screening-list-list": Route(no_ids, ("GET", "POST")),
    "api:screening-match-list": Route(no_ids, ("GET",)),
    "api:screening-match-detail": Route(lambda o: {"public_id": o["screening_match"]}, ("GET",)),
    "api:screening-match-clear": Route(lambda o: {"public_id": o["screening_match"]}, ("POST",)),
    # co-selling: partner 1's own registration and the partner it invited, the deal partner 1 co-sells,
    # and partner 1's open invitation; partner 2 is on none of these teams, so every id is 404 to it
    "cosell:team": Route(lambda o: {"registration_id": o["cosell_registration"]}, ("GET",), partner_owned=True),
    "cosell:assign": Route(lambda o: {"registration_id": o["cosell_registration"]}, ("POST",), partner_owned=True),
    "cosell:remove": Route(
        lambda o: {"registration_id": o["cosell_registration"], "participant_id": o["cosell_participant"]},
        ("POST",),
        partner_owned=True,
    ),
    "partner_cosell:invitations": Route(no_ids, ("GET",)),
    "partner_cosell:invitation_accept": Route(
        lambda o: {"participant_id": o["cosell_invitation"]}, ("POST",), partner_owned=True
    ),
    "partner_cosell:invitation_decline": Route(
        lambda o: {"participant_id": o["cosell_invitation"]}, ("POST",), partner_owned=True
    ),
    "partner_cosell:deals": Route(no_ids, ("GET",)),
    "partner_cosell:deal": Route(lambda o: {"registration_id": o["cosell_deal"]}, ("GET",), partner_owned=True),
    "partner_cosell:team": Route(lambda o: {"registration_id": o["cosell_registration"]}, ("GET", "POST"), partner_owned=True),
    "partner_cosell:team_remove": Route(
        lambda o: {"registration_id": o["cosell_registration"], "participant_id": o["cosell_participant"]},
        ("POST",),
        partner_owned=True,
    ),
    "api:cosell-invitation-list": Route(no_ids, ("GET",), own=True),
    "api:cosell-invitation-accept": Route(lambda o: {"public_id": o["cosell_invitation"]}, ("POST",), partner_owned=True),
    "api:cosell-invitation-decline": Route(lambda o: {"public_id": o["cosell_invitation"]}, ("POST",), partner_owned=True),
    "api:cosell-deal-list": Route(no_ids, ("GET",), own=True),
    "api:cosell-deal-detail": Route(lambda o: {"public_id": o["cosell_deal"]}, ("GET",), partner_owned=True),
    "api:deal-team-detail": Route(lambda o: {"public_id": o["cosell_registration"]}, ("GET",), partner_owned=True),
    "api:deal-team-invite": Route(lambda o: {"public_id": o["cosell_registration"]}, ("POST",), partner_owned=True),
    "api:deal-team-assign": Route(lambda o: {"public_id": o["cosell_registration"]}, ("POST",), partner_owned=True),
    "api:deal-team-remove": Route(lambda o: {"public_id": o["cosell_registration"]}, ("POST",), partner_owned=True),
    # leads: a lead offered to partner 1 (its offer too); partner 2 never had it, so every id is 404 to it
    "leads:list": Route(no_ids, ("GET",)),
    "leads:create": Route(no_ids, ("GET", "POST")),
    "leads:detail": Route(lambda o: {"lead_id": o["lead"]}, ("GET",), partner_owned=True),
    "leads:route": Route(lambda o: {"lead_id": o["lead"]}, ("POST",), partner_owned=True),
    "leads:offer": Route(lambda o: {"lead_id": o["lead"]}, ("POST",), partner_owned=True),
    "leads:withdraw": Route(lambda o: {"lead_id": o["lead"]}, ("POST",), partner_owned=True),
    "partner_leads:list": Route(no_ids, ("GET",)),
    "partner_leads:detail": Route(lambda o: {"lead_id": o["lead"]}, ("GET",), partner_owned=True),
    "partner_leads:accept": Route(lambda o: {"lead_id": o["lead"]}, ("POST",), partner_owned=True),
    "partner_leads:decline": Route(lambda o: {"lead_id": o["lead"]}, ("POST",), partner_owned=True),
    "partner_leads:convert": Route(lambda o: {"lead_id": o["lead"]}, ("GET", "POST"), partner_owned=True),
    "api:lead-list": Route(no_ids, ("GET", "POST")),
    "api:lead-detail": Route(lambda o: {"public_id": o["lead"]}, ("GET",), partner_owned=True),
    "api:lead-route": Route(lambda o: {"public_id": o["lead"]}, ("POST",), partner_owned=True),
    "api:lead-offer": Route(lambda o: {"public_id": o["lead"]}, ("POST",), partner_owned=True),
    "api:lead-withdraw": Route(lambda o: {"public_id": o["lead"]}, ("POST",), partner_owned=True),
    "api:my-lead-list": Route(no_ids, ("GET",), own=True),
    "api:my-lead-detail": Route(lambda o: {"public_id": o["lead"]}, ("GET",), partner_owned=True),
    "api:my-lead-accept": Route(lambda o: {"public_id": o["lead"]}, ("POST",), partner_owned=True),
    "api:my-lead-decline": Route(lambda o: {"public_id": o["lead"]}, ("POST",), partner_owned=True),
    "api:my-lead-convert": Route(lambda o: {"public_id": o["lead"]}, ("POST",), partner_owned=True),
    # deal registration, partner side: partner 1's own registration; partner 2 did not submit it, so its id
    # is 404 to partner 2; the id-less pages answer for the caller's own organisation
    "partner_deals:list": Route(no_ids, ("GET",)),
    "partner_deals:register": Route(no_ids, ("GET", "POST")),
    "partner_deals:precheck": Route(no_ids, ("POST",)),
    "partner_deals:rules": Route(no_ids, ("GET",)),
    "partner_deals:detail": Route(lambda o: {"registration_id": o["my_registration"]}, ("GET",), partner_owned=True),
    "partner_deals:info": Route(lambda o: {"registration_id": o["my_registration"]}, ("POST",), partner_owned=True),
    "partner_deals:stage": Route(lambda o: {"registration_id": o["my_registration"]}, ("POST",), partner_owned=True),
    "partner_deals:withdraw": Route(lambda o: {"registration_id": o["my_registration"]}, ("POST",), partner_owned=True),
    "partner_deals:appeal": Route(lambda o: {"registration_id": o["my_registration"]}, ("POST",), partner_owned=True),
    "partner_deals:extension": Route(lambda o: {"registration_id": o["my_registration"]}, ("POST",), partner_owned=True),
    "api:my-registration-list": Route(no_ids, ("GET", "POST"), own=True),
    "api:my-registration-precheck": Route(no_ids, ("POST",), own=True),
    "api:my-registration-detail": Route(lambda o: {"public_id": o["my_registration"]}, ("GET",), partner_owned=True),
    "api:my-registration-stage": Route(lambda o: {"public_id": o["my_registration"]}, ("POST",), partner_owned=True),
    "api:my-registration-withdraw": Route(lambda o: {"public_id": o["my_registration"]}, ("POST",), partner_owned=True),
    "api:my-registration-appeal": Route(lambda o: {"public_id": o["my_registration"]}, ("POST",), partner_owned=True),
    "api:my-registration-extension": Route(lambda o: {"public_id": o["my_registration"]}, ("POST",), partner_owned=True),
    "api:my-registration-info": Route(lambda o: {"public_id": o["my_registration"]}, ("POST",), partner_owned=True),
    # deal registration, vendor side (workflow): partner 1's registrations (one approved with an extension
    # request waiting, one rejected and appealed), a product line; staff-only, so every partner user gets 404
    "deals:queue": Route(no_ids, ("GET",)),
    "deals:registration": Route(lambda o: {"registration_id": o["managed_registration"]}, ("GET",), partner_owned=True),
    "deals:approve": Route(lambda o: {"registration_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    "deals:reject": Route(lambda o: {"registration_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    "deals:request_info": Route(lambda o: {"registration_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    "deals:stage": Route(lambda o: {"registration_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    "deals:appeals": Route(no_ids, ("GET",)),
    "deals:appeal_decide": Route(lambda o: {"appeal_id": o["registration_appeal"]}, ("POST",), partner_owned=True),
    "deals:extension_decide": Route(lambda o: {"extension_id": o["registration_extension"]}, ("POST",), partner_owned=True),
    "deals:rules": Route(no_ids, ("GET", "POST")),
    "deals:product_lines": Route(no_ids, ("GET", "POST")),
    "deals:product_line_retire": Route(lambda o: {"line_id": o["product_line"]}, ("POST",)),
    "api:deal-registration-list": Route(no_ids, ("GET",)),
    "api:deal-registration-detail": Route(lambda o: {"public_id": o["managed_registration"]}, ("GET",), partner_owned=True),
    "api:deal-registration-approve": Route(lambda o: {"public_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    "api:deal-registration-reject": Route(lambda o: {"public_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    "api:deal-registration-request-info": Route(
        lambda o: {"public_id": o["managed_registration"]}, ("POST",), partner_owned=True
    ),
    "api:deal-registration-stage": Route(lambda o: {"public_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    "api:deal-registration-takeover": Route(lambda o: {"public_id": o["managed_registration"]}, ("POST",), partner_owned=True),
    "api:registration-appeal-list": Route(no_ids, ("GET",)),
    "api:registration-appeal-decide": Route(lambda o: {"public_id": o["registration_appeal"]}, ("POST",), partner_owned=True),
    "api:registration-extension-list": Route(no_ids, ("GET",)),
    "api:registration-extension-decide": Route(
        lambda o: {"public_id": o["registration_extension"]}, ("POST",), partner_owned=True
    ),
    "api:product-line-list": Route(no_ids, ("GET", "POST")),
    "api:product-line-retire": Route(lambda o: {"public_id": o["product_line"]}, ("POST",)),
    "api:engagement-rules": Route(no_ids, ("GET", "PUT")),
    # imports and pipeline API: tenant A's import of a file (staff only, so partner users get 404 on ids and
    # lists); the vendor pipeline is staff-only; my-pipeline answers each partner user with its own figures
    "api:deal-import-list": Route(no_ids, ("GET", "POST")),
    "api:deal-import-detail": Route(lambda o: {"public_id": o["import_batch"]}, ("GET",)),
    "api:pipeline": Route(no_ids, ("GET",)),
    "api:my-pipeline": Route(no_ids, ("GET",), own=True),
}
# Each later capability keeps its rows and the objects they probe in its own module under
# tests/isolation/ (listed in AREAS): the rows join the matrix here, the objects join the fixture below.
for _area in AREAS:
    _clash = set(_area.ROUTES) & set(MATRIX)
    assert not _clash, f"{_area.__name__} repeats matrix rows {_clash}"
    MATRIX.update(_area.ROUTES)


def tenant_routes() -> dict[str, str]:
    """{route name: full pattern} for every route under a tenant prefix, from the live URL router."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                full = prefix + str(pattern.pattern)
                if full.startswith(TENANT_PREFIXES):
                    found[f"{namespace}{pattern.name}"] = full

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_tenant_route_is_in_the_matrix():
    routes = tenant_routes()
    assert set(routes) - set(MATRIX) == set(), "add these routes to MATRIX in tests/test_isolation_matrix.py"
    assert set(MATRIX) - set(routes) == set(), "these MATRIX rows name routes that no longer exist"


def test_every_api_operation_in_the_schema_is_probed():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    probed = set()
    for name, route in MATRIX.items():
        if name.startswith("api:"):
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", tenant_routes()[name])
            probed.update((path, method.lower()) for method in route.methods)
    operations = {
        (path, method)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/t/")
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert operations - probed == set()


# --- the probe -------------------------------------------------------------------------------


def cosell_objects(a) -> dict:
    """Co-selling in tenant A, partner 2 on no team: partner 1's registration with partner 3 invited,
    a deal of partner 3 that partner 1 co-sells, and partner 3's open invitation to partner 1.
    Made before partner 1's onboarding plan exists (an open plan closes the sales gate)."""
    product_lines_for(a.tenant)
    partner3 = PartnerFactory(tenant=a.tenant, name="Alpha Integrator", partner_type="msp", website_domain="si.alpha.example")
    own = submit_as(a.tenant, a.partner1, a.partner1_admin, customer_name="Probe Own", customer_domain="own.example").registration
    participant = cosell_invite(
        tenant=a.tenant,
        actor=a.partner1_admin,
        partner_id=a.partner1.pk,
        registration=own,
        invitee=partner3,
        role="implementation",
    )
    theirs = submit_as(a.tenant, partner3, a.owner, customer_name="Probe Shared", customer_domain="shared.example").registration
    on_team = cosell_assign(tenant=a.tenant, actor=a.owner, registration=theirs, partner=a.partner1, role="influencing")
    asked = submit_as(a.tenant, partner3, a.owner, customer_name="Probe Asked", customer_domain="asked.example").registration
    invitation = cosell_invite(
        tenant=a.tenant, actor=a.owner, partner_id=partner3.pk, registration=asked, invitee=a.partner1, role="referral"
    )
    return {
        "registration": own.public_id,
        "participant": participant.public_id,
        "cosell_deal": theirs.public_id,
        "cosell_invitation": invitation.public_id,
        "partner1_ids": {str(own.public_id), str(participant.public_id), str(theirs.public_id), str(on_team.public_id)}
        | {str(invitation.public_id), str(asked.public_id)},
    }


def lead_objects(a) -> dict:
    """Leads in tenant A: one offered to partner 1 (rows written directly: partner 1's open onboarding
    plan shuts its sales gate, which the services check). Partner 2 was never offered it."""
    from deals.models import Lead, LeadOffer

    respond_by = timezone.now() + datetime.timedelta(hours=48)
    lead = Lead.objects.create(
        tenant=a.tenant, company_name="Probe Lead Co", status="offered", offered_to=a.partner1, respond_by=respond_by
    )
    offer = LeadOffer.objects.create(tenant=a.tenant, lead=lead, partner=a.partner1, respond_by=respond_by, manual=True)
    return {"lead": lead.public_id, "partner1_ids": {str(lead.public_id), str(offer.public_id)}}


def workflow_objects(a) -> dict:
    """Deal registration, vendor side: partner 1's approved registration with an extension request waiting,
    and its rejected, appealed one; a product line. Made before partner 1's onboarding plan (the sales gate)."""
    from deals.models import ProductLine
    from deals.workflow import appeal_submit, extension_request, registration_approve, registration_reject

    approved = submit_as(a.tenant, a.partner1, a.partner1_admin, customer_name="Probe Managed", customer_domain="managed.example")
    registration_approve(tenant=a.tenant, actor=a.manager, registration=approved.registration)
    extension = extension_request(
        tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, registration=approved.registration, reason="Probe"
    )
    turned_down = submit_as(
        a.tenant, a.partner1, a.partner1_admin, customer_name="Probe Appealed", customer_domain="appealed.example"
    )
    registration_reject(tenant=a.tenant, actor=a.manager, registration=turned_down.registration, reason="Probe")
    appeal = appeal_submit(
        tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, registration=turned_down.registration, reason="Probe"
    )
    line = ProductLine.objects.get(tenant=a.tenant, slug="compute")
    return {
        "managed_registration": approved.registration.public_id,
        "registration_extension": extension.public_id,
        "registration_appeal": appeal.public_id,
        "product_line": line.public_id,
        "partner1_ids": {
            str(approved.registration.public_id),
            str(extension.public_id),
            str(turned_down.registration.public_id),
            str(appeal.public_id),
        },
    }


@pytest.fixture
def tenant_a_objects(world, settings, tmp_path) -> dict:
    """One object of every kind in tenant A, the foreign ids the other personas must never reach."""
    settings.MEDIA_ROOT = tmp_path  # the export zip below is written to storage
    return tenant_objects(world.a)


def tenant_objects(a) -> dict:
    """One object of every kind in one tenant of the world (tests/fuzz seeds both tenants with it)."""
    with tenant_context(a.tenant.pk):
        job = job_create(tenant=a.tenant, actor=a.owner, kind="dashboard_metrics")
        invitation = Invitation.objects.create(
            tenant=a.tenant,
            email="new@partner1.example",
            role="partner_rep",
            partner=a.partner1,
            token_hash="0" * 64,
            expires_at="2999-01-01T00:00:00Z",
        )
        membership = Membership.objects.get(user=a.partner1_rep)
        cosell = cosell_objects(a)  # co-selling: before partner 1's onboarding plan
        # deal registration, partner side: partner 1's own registration (before its onboarding plan shuts the gate)
        my_registration = submit_as(
            a.tenant, a.partner1, a.partner1_rep, customer_name="Probe Registered", customer_domain="registered.example"
        ).registration
        workflow = workflow_objects(a)  # deal registration, vendor side: before partner 1's onboarding plan
        # later capabilities (tests/isolation/): before partner 1's onboarding plan, which shuts its sales gate
        areas = [area.objects(a) for area in AREAS]
        issued = api_key_create(tenant=a.tenant, actor=a.owner, name="Probe key", scope="write")
        plan = onboarding_plan_for(a.tenant, a.partner1)
        application = application_submit(
            tenant=a.tenant,
            company_name="Applicant Co",
            website_domain="applicant.example",
            partner_type="msp",
            expected_deal_volume="10_50",
            contact_name="Ann Applicant",
            contact_email="ann@applicant.example",
        ).application
        content_item = content_create(
            tenant=a.tenant,
            actor=a.owner,
            title="Reseller price list",
            kind="link",
            url="https://alpha.example/price-list",
            partner_types=["reseller"],
        )
        steps = {step.position: step for step in plan.steps.all()}
        template_id = plan.template.public_id
        question_id = SecurityQuestion.objects.first().public_id
        course = training_course_for(a.tenant)
        learning_path = LearningPath.objects.create(tenant=a.tenant, track="sales", title="Sales path")
        LearningPathCourse.objects.create(tenant=a.tenant, path=learning_path, course=course, position=1)
        issuer = credential_issuer_save(
            tenant=a.tenant,
            actor=a.owner,
            name="Probe Issuer",
            endpoint_url="https://verify.issuer.example/check",
            secret="s3cret",
        )
        quiz_question = course.questions.order_by("position").first()
        passed = quiz_submit(
            tenant=a.tenant,
            actor=a.partner1_admin,
            partner_id=a.partner1.pk,
            course=course,
            answers=quiz_answers(course, correct=3),
        )
        # learning paths: the rep follows the sales track, so a foreign write would show in the fingerprint
        learner_tracks_set(tenant=a.tenant, actor=a.partner1_admin, partner=a.partner1, user=a.partner1_rep, tracks=["sales"])
        evidence = SecurityEvidence.objects.create(
            tenant=a.tenant, partner=a.partner1, step=steps[2], file="evidence/probe.pdf", original_filename="policy.pdf", size=10
        )
        screening_match = ScreeningMatch.objects.create(
            tenant=a.tenant, application=application, subject_name="Applicant Co", listed_name="Applicant Company", score=90
        )
        # tiers: a tier, and partner 1's proposal to reach it (a foreign approve would change the fingerprint)
        tier = Tier.objects.create(tenant=a.tenant, name="Probe Gold", rank=1)
        TierEvaluation.objects.create(
            tenant=a.tenant, partner=a.partner1, eligible_tier=tier, status="proposed", evaluated_at=timezone.now()
        )
        # and an override in force on partner 1 (a foreign "end override" would change the fingerprint)
        PartnerOrganization.objects.filter(pk=a.partner1.pk).update(
            tier_override_until=timezone.localdate() + datetime.timedelta(days=30)
        )
        leads = lead_objects(a)  # leads: offered to partner 1
        # imports, pipeline, bench: a file tenant A uploaded (staged for its import) and an import job
        import_token = staged_put(
            tenant=a.tenant, data=b"Account ID,Account Name\n1,Probe\n", file_name="probe.csv", user_id=a.manager.pk
        )
        import_job = job_create(tenant=a.tenant, actor=a.manager, kind="deal_import")
        # the owners' full data export: a finished export job of tenant A with its (tiny) zip in storage
        export_job = job_create(tenant=a.tenant, actor=a.owner, kind="tenant_export")
        export_path = default_storage.save(
            f"exports/{a.tenant.public_id}/{export_job.public_id}.zip", ContentFile(b"PK\x05\x06" + bytes(18))
        )
        Job.objects.filter(pk=export_job.pk).update(
            status="succeeded", progress=100, result={"path": export_path, "tables": 0, "rows": 0}
        )
        # imports and pipeline API: a file tenant A imported
        import_batch = ImportBatch.objects.create(
            tenant=a.tenant, kind="accounts", file_name="probe.csv", sha256="1" * 64, rows=1, job=import_job
        )
        everything = {
            str(value)
            for model in tenant_models()
            if any(field.name == "public_id" for field in model._meta.fields)
            for value in model.objects.values_list("public_id", flat=True)
        }
        partner1_memberships = {str(m) for m in Membership.objects.filter(partner=a.partner1).values_list("public_id", flat=True)}
    objects = {
        "partner": a.partner1.public_id,
        "job": job.public_id,
        "import_token": import_token,
        "import_job": import_job.public_id,
        "export_job": export_job.public_id,
        "import_batch": import_batch.public_id,
        "invitation": invitation.public_id,
        "membership": membership.public_id,
        "api_key": issued.api_key.public_id,
        "application": application.public_id,
        "plan": plan.public_id,
        "screening_match": screening_match.public_id,
        "tier": tier.public_id,
        "evidence": evidence.public_id,
        "template": template_id,
        "question": question_id,
        "step": steps[2].public_id,  # the security review
        "agreement_step": steps[1].public_id,
        "task_step": steps[3].public_id,
        "content_item": content_item.public_id,
        "course": course.public_id,
        "quiz_question": quiz_question.public_id,
        "learning_path": learning_path.public_id,
        "credential_issuer": issuer.slug,
        "certification": passed.certification.public_id,
        "cosell_registration": cosell["registration"],
        "cosell_participant": cosell["participant"],
        "cosell_deal": cosell["cosell_deal"],
        "cosell_invitation": cosell["cosell_invitation"],
        "lead": leads["lead"],
        "my_registration": my_registration.public_id,
        "managed_registration": workflow["managed_registration"],
        "registration_extension": workflow["registration_extension"],
        "registration_appeal": workflow["registration_appeal"],
        "product_line": workflow["product_line"],
        "all_ids": everything | {str(a.tenant.public_id)},
        "partner1_ids": {str(a.partner1.public_id), str(invitation.public_id), str(plan.public_id), str(evidence.public_id)}
        | partner1_memberships
        | {str(step.public_id) for step in steps.values()}
        | {str(passed.certification.public_id), str(passed.completion.public_id)}
        | cosell["partner1_ids"]
        | leads["partner1_ids"]
        | {str(my_registration.public_id)}
        | workflow["partner1_ids"],
    }
    for area in areas:
        area_ids = dict(area)
        objects["partner1_ids"] |= area_ids.pop("partner1_ids", set())
        clash = set(area_ids) & set(objects)
        assert not clash, f"an area repeats object keys {clash}"
        objects.update(area_ids)
    return objects


def tenant_models() -> list[type[TenantModel]]:
    return [model for model in apps.get_models() if issubclass(model, TenantModel)]


def fingerprint(tenant_id: int, *, except_partner_id: int) -> str:
    """A hash of every row of every tenant table of this tenant: any change shows.

    Rows of ``except_partner_id`` are left out: that partner's own user may legitimately change
    its own team (and the audit log records it); what must not change is everybody else's data.
    """
    digest = hashlib.sha256()
    with tenant_context(tenant_id):
        for model in sorted(tenant_models(), key=lambda m: m._meta.label):
            rows = model.objects.order_by("pk")
            if model.partner_field:
                column = model._meta.get_field(model.partner_field).attname
                rows = rows.exclude(**{column: except_partner_id})
            rows = list(rows.values_list())
            digest.update(model._meta.label.encode() + json.dumps(rows, default=_plain).encode())
    return digest.hexdigest()


def _plain(value) -> str:
    """A row value as text; binary columns (a stored model) by their content, not the buffer's address."""
    if isinstance(value, memoryview | bytes):
        return hashlib.sha256(bytes(value)).hexdigest()
    return str(value)


def probe(client, method: str, url: str, foreign_id: str):
    query = f"?partner={foreign_id}&id={foreign_id}&partner_id={foreign_id}"
    body = {
        "partner": foreign_id,
        "id": foreign_id,
        "partner_id": foreign_id,
        "name": "Probe",
        "partner_type": "msp",
        "email": "probe@example.com",
        "role": "partner_rep",
        "kind": "dashboard_metrics",
        "scope": "write",
        "status": "active",
    }
    if url.startswith("/api/"):
        return client.generic(method, url + query, json.dumps(body), content_type="application/json")
    if method == "GET":
        return client.get(url + query)
    return client.post(url + query, body)


def assert_no_foreign_ids(response, foreign_ids: set[str], label: str) -> None:
    body = response.content.decode(errors="replace")
    leaked = sorted(i for i in foreign_ids if i in body)
    assert not leaked, f"{label}: response mentions foreign ids {leaked}"


@pytest.mark.parametrize("route_name", sorted(MATRIX))
def test_cannot_access_other_tenants_or_other_partners_data(client, world, tenant_a_objects, route_name):
    route = MATRIX[route_name]
    ids = {key: str(value) for key, value in route.ids(tenant_a_objects).items()}
    foreign = next(iter(ids.values()), str(tenant_a_objects["partner"]))
    a_url = reverse(route_name, kwargs={"tenant_slug": "alpha", **ids})
    b_url = reverse(route_name, kwargs={"tenant_slug": "beta", **ids})
    is_api = route_name.startswith("api:")
    before = fingerprint(world.a.tenant.pk, except_partner_id=world.a.partner2.pk)

    personas = [
        ("other tenant's owner via A's address", world.b.owner, a_url, {404}, tenant_a_objects["all_ids"]),
        ("revoked member of A", world.a.revoked, a_url, {404}, tenant_a_objects["all_ids"]),
        ("outsider", world.outsider, a_url, {404}, tenant_a_objects["all_ids"]),
        # Through their own tenant's address, A's ids must be "not found"; id-less pages are theirs.
        (
            "other tenant's owner via own address",
            world.b.owner,
            b_url,
            {404} if ids else {200, 201, 202, 302, 400, 403, 404},
            tenant_a_objects["all_ids"],
        ),
    ]
    partner_portal = tenant_routes()[route_name].startswith("p/")
    if partner_portal or route.partner_owned or not ids:
        # A user of the other partner in the same tenant: vendor routes do not exist for them;
        # partner routes answer for their own organisation only.
        # (201: an id-less API route that creates in the caller's own organisation, such as invitations/)
        expected = {404} if ((ids and not route.shared) or not (partner_portal or route.own)) else {200, 201, 302, 400, 403}
        personas.append(("other partner's admin", world.a.partner2_admin, a_url, expected, tenant_a_objects["partner1_ids"]))

    for label, user, url, expected, foreign_ids in personas:
        client.force_login(user)
        for method in route.methods:
            response = probe(client, method, url, foreign)
            assert response.status_code in expected, f"{label} {method} {url}: {response.status_code}"
            assert_no_foreign_ids(response, foreign_ids, f"{label} {method} {url}")
        client.logout()

    for method in route.methods:
        response = probe(client, method, a_url, foreign)
        if is_api:
            assert response.status_code == 401, f"anonymous {method} {a_url}: {response.status_code}"
        else:
            assert response.status_code == 302, f"anonymous {method} {a_url}: {response.status_code}"
            assert response["Location"].startswith("/accounts/login/")
        assert_no_foreign_ids(response, tenant_a_objects["all_ids"], f"anonymous {method} {a_url}")

    assert fingerprint(world.a.tenant.pk, except_partner_id=world.a.partner2.pk) == before, (
        f"{route_name}: tenant A's data changed"
    )
