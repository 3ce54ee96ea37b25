"""Isolation matrix rows for the directory routes, and the tenant A objects they probe.

Partner 1's directory profile is *unpublished* and its collaboration request to a third partner is
between the two of them: partner 2 must get 404 for both ids and see neither in any page or list. The
third partner's published profile is directory information every partner reads: it is not among
partner 1's private ids. The vendor pages and staff API (every profile, every collaboration, the
ecosystem map) are staff-only, so every partner user gets 404.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _profile(o: dict) -> dict:
    return {"partner_id": o["directory_partner"]}


def _collaboration(o: dict) -> dict:
    return {"collaboration_id": o["collaboration"]}


def _api_collaboration(o: dict) -> dict:
    return {"public_id": o["collaboration"]}


ROUTES: dict[str, Route] = {
    # vendor portal: staff only
    "directory:list": Route(no_ids, ("GET",)),
    "directory:collaborations": Route(no_ids, ("GET",)),
    "directory:ecosystem_map": Route(no_ids, ("GET",)),
    # partner portal: the directory and the boxes answer for the caller's own organisation
    "partner_directory:search": Route(no_ids, ("GET",)),
    "partner_directory:profile": Route(_profile, ("GET",), partner_owned=True),
    "partner_directory:my_profile": Route(no_ids, ("GET", "POST")),
    "partner_directory:publish": Route(no_ids, ("POST",)),
    "partner_directory:unpublish": Route(no_ids, ("POST",)),
    "partner_directory:collaborations": Route(no_ids, ("GET",)),
    "partner_directory:collaboration_new": Route(no_ids, ("GET", "POST")),
    "partner_directory:collaboration": Route(_collaboration, ("GET",), partner_owned=True),
    "partner_directory:collaboration_accept": Route(_collaboration, ("POST",), partner_owned=True),
    "partner_directory:collaboration_decline": Route(_collaboration, ("POST",), partner_owned=True),
    "partner_directory:collaboration_withdraw": Route(_collaboration, ("POST",), partner_owned=True),
    # API
    "api:directory-list": Route(no_ids, ("GET",), own=True),
    "api:directory-detail": Route(lambda o: {"public_id": o["directory_partner"]}, ("GET",), partner_owned=True),
    "api:my-directory-profile": Route(no_ids, ("GET", "PUT", "PATCH"), own=True),
    "api:collaboration-list": Route(no_ids, ("GET",)),
    "api:collaboration-detail": Route(_api_collaboration, ("GET",), partner_owned=True),
    "api:my-collaboration-list": Route(no_ids, ("GET", "POST"), own=True),
    "api:my-collaboration-detail": Route(_api_collaboration, ("GET",), partner_owned=True),
    "api:my-collaboration-accept": Route(_api_collaboration, ("POST",), partner_owned=True),
    "api:my-collaboration-decline": Route(_api_collaboration, ("POST",), partner_owned=True),
    "api:my-collaboration-withdraw": Route(_api_collaboration, ("POST",), partner_owned=True),
    "api:ecosystem-map": Route(no_ids, ("GET",)),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope, before partner 1's onboarding plan).

    Partner 1's unpublished profile; a third partner with a published profile; partner 1's pending
    request to it. Returns the ids the rows need, plus partner1_ids: the ids partner 2's users must never see.
    """
    from partners.directory.models import DirectoryProfile
    from partners.directory.services import collaboration_request
    from tests.factories import PartnerFactory

    profile = DirectoryProfile.objects.create(
        tenant=a.tenant, partner=a.partner1, headline="Partner 1, not published", is_published=False
    )
    listed = PartnerFactory(
        tenant=a.tenant, name="Alpha Directory SI", partner_type="si", website_domain="directory-si.alpha.example"
    )
    DirectoryProfile.objects.create(tenant=a.tenant, partner=listed, headline="Published integrator", is_published=True)
    request = collaboration_request(
        tenant=a.tenant,
        actor=a.partner1_admin,
        from_partner=a.partner1,
        to_partner=listed,
        subject_kind="general",
        message="Probe collaboration",
    )
    return {
        "directory_partner": a.partner1.public_id,
        "collaboration": request.public_id,
        "partner1_ids": {str(profile.public_id), str(request.public_id)},
    }
