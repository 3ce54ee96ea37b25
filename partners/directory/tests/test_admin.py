"""Operators read every tenant's directory profiles and collaborations in Django admin; requests are read-only there."""

from __future__ import annotations

import pytest
from django.test import Client

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from partners.directory.models import CollaborationRequest, DirectoryProfile
from tests.factories import UserFactory

from .support import profile_for

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "platform"])


@pytest.fixture
def operator_client(committed_world) -> Client:
    client = Client()
    client.force_login(UserFactory(email="operator@platform.example", is_staff=True, is_superuser=True))
    return client


def test_the_operator_lists_profiles_of_every_tenant_and_unpublishes_one(operator_client, committed_world):
    a, b = committed_world.a, committed_world.b
    profile = profile_for(a.partner1, headline="Alpha headline")
    profile_for(b.partner1, headline="Beta headline")
    body = operator_client.get("/admin/directory/directoryprofile/").content.decode()
    assert "Alpha headline" in body and "Beta headline" in body
    response = operator_client.post(
        f"/admin/directory/directoryprofile/{profile.pk}/change/",
        {
            "headline": "Alpha headline",
            "description": "We do good work.",
            "capabilities": "security",
            "regions": "emea",
            "industries": "Banking",
            "contact_email": "hello@partner.example",
            "show_certifications": "on",
        },
    )
    assert response.status_code == 302
    with tenant_context(a.tenant.pk):
        assert DirectoryProfile.objects.get(pk=profile.pk).is_published is False
        assert AuditEntry.objects.filter(object_id=str(profile.public_id)).exists()


def test_collaboration_requests_are_a_read_only_record(operator_client, committed_world):
    a = committed_world.a
    with tenant_context(a.tenant.pk):
        request = CollaborationRequest.objects.create(
            tenant=a.tenant,
            from_partner=a.partner1,
            to_partner=a.partner2,
            subject_kind="general",
            subject_label="Probe",
            team_partner_ids=[a.partner1.pk, a.partner2.pk],
        )
    listing = operator_client.get("/admin/directory/collaborationrequest/")
    assert listing.status_code == 200
    assert "Alpha Reseller" in listing.content.decode()
    change = operator_client.get(f"/admin/directory/collaborationrequest/{request.pk}/change/").content.decode()
    assert 'name="status"' not in change
