"""Operators read account-mapping pairs and counts in Django admin; lists, overlap records, hashes and secrets are not there."""

from __future__ import annotations

import pytest
from django.test import Client

from ecosystem.tenancy.context import tenant_context
from tests.factories import UserFactory

from ..models import MappingPairSecret
from .support import PARTNER_ROWS, active_pair, load_lists

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "platform"])


def test_operators_see_pairs_and_counts_but_no_account_hash_or_secret(committed_world):
    a = committed_world.a
    load_lists(a)
    pair = active_pair(a, partner_sharing={"customer": "overlaps"})
    with tenant_context(a.tenant.pk):
        secret = MappingPairSecret.objects.get(partnership=pair).secret
    client = Client()
    client.force_login(UserFactory(email="operator@platform.example", is_staff=True, is_superuser=True))
    pairs = client.get("/admin/mapping/mappingpartnership/")
    assert pairs.status_code == 200 and str(pair.public_id) in pairs.content.decode()
    detail = client.get(f"/admin/mapping/mappingpartnership/{pair.pk}/change/").content.decode()
    counts = client.get("/admin/mapping/overlapcount/").content.decode()
    assert "prospect" in counts
    for path in ("mappingaccount", "accountoverlap", "mappingpairsecret"):
        assert client.get(f"/admin/mapping/{path}/").status_code == 404
    for body in (pairs.content.decode(), detail, counts):
        assert secret not in body
        assert not any(row.domain in body or row.name in body for row in PARTNER_ROWS)
