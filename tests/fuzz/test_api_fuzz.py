"""Schemathesis against the OpenAPI document: 0 server errors, 0 schema violations, 0 foreign ids.

Two tenants, both seeded with one object of every kind (the isolation matrix's seed), plus rows of
partner 2 in tenant A. Tenant A's API is fuzzed as three identities:

* ``vendor``: an API key of tenant A with write scope (what an integration uses);
* ``partner``: a portal session of partner 1's admin in tenant A;
* ``anonymous``: no credential (every answer must be 401, and name nothing).

Each must never be shown tenant B's ids; the partner user also never partner 2's.
``make test`` runs a small size (``FUZZ_MAX_EXAMPLES`` unset: 3 examples per operation and mode);
``make fuzz`` runs the thorough one. See tests/fuzz/harness.py for how a run works.
"""

from __future__ import annotations

import json
import os

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from deals.tests.support import submit_as
from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context
from tests.fuzz.harness import Identity, format_findings, run
from tests.test_isolation_matrix import tenant_models, tenant_objects

CSRF_TOKEN = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"  # 32 characters: Django accepts an unmasked secret


def partner_owned_ids(tenant_world, partner) -> set[str]:
    """Public ids of every row of ``partner`` in its tenant (what another partner must never see)."""
    ids: set[str] = {str(partner.public_id)}
    with tenant_context(tenant_world.tenant.pk):
        for model in tenant_models():
            names = {f.name for f in model._meta.fields}
            if model.partner_field and "public_id" in names:
                column = model._meta.get_field(model.partner_field).attname
                ids |= {str(v) for v in model.objects.filter(**{column: partner.pk}).values_list("public_id", flat=True)}
    return ids


@pytest.fixture
def fuzz_world(world, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    # throttles answer 429 (documented) long before a fuzz run ends; they have their own tests
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"tenant": "1000000/min", "client": "1000000/min"})
    tenant_objects(world.a)
    b_objects = tenant_objects(world.b)
    # partner 2 of tenant A gets rows of its own: partner 1's user must never see them
    submit_as(
        world.a.tenant,
        world.a.partner2,
        world.a.partner2_admin,
        customer_name="Other Partner Co",
        customer_domain="other.example",
    )
    partner2_ids = partner_owned_ids(world.a, world.a.partner2)
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="Fuzz key", scope="write")
    client = Client()
    client.force_login(world.a.partner1_admin)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    foreign_b = frozenset(b_objects["all_ids"])
    # the check means something only if there is something to leak: tenant B and partner 2 have rows
    assert len(foreign_b) > 50 and len(partner2_ids) >= 3, (len(foreign_b), len(partner2_ids))
    identities = {
        "vendor": Identity("vendor", headers={"Authorization": f"Bearer {issued.plaintext}"}, foreign_ids=foreign_b),
        "partner": Identity(
            "partner",
            headers={"X-CSRFToken": CSRF_TOKEN},
            cookies={django_settings.SESSION_COOKIE_NAME: session, django_settings.CSRF_COOKIE_NAME: CSRF_TOKEN},
            foreign_ids=foreign_b | partner2_ids,
        ),
        "anonymous": Identity("anonymous", foreign_ids=foreign_b | partner2_ids),
    }
    return world, identities


@pytest.mark.parametrize("identity", ["vendor", "partner", "anonymous"])
def test_the_api_conforms_to_its_document_and_names_no_foreign_ids(fuzz_world, identity):
    world, identities = fuzz_world
    report = run(
        identities[identity],
        tenant_ids=(world.a.tenant.pk, world.b.tenant.pk),
        only=os.environ.get("FUZZ_ONLY") or None,
    )
    summary = report.summary()
    print(json.dumps(summary))  # the figures, for bench/RESULTS.md
    if os.environ.get("FUZZ_VERBOSE"):
        for label, statuses in sorted(report.by_operation.items()):
            print(label, dict(statuses))
    if os.environ.get("FUZZ_REPORT"):
        with open(os.environ["FUZZ_REPORT"], "a") as out:
            out.write(json.dumps(summary) + "\n")
    assert report.findings == [], format_findings(report.findings)
    if identity == "partner":  # the session holds on every call: the run reached the views, not the login
        assert report.statuses[401] == 0, report.statuses
