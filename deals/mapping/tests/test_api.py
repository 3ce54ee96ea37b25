"""Account mapping in the API, and the privacy proof: a non-overlapping account of the other side cannot be recovered.

The proof seeds a distinctive account on the partner's list that is on no vendor list
(:data:`SECRET_DOMAIN`), lets the partner share as much as it can short of *all* (overlapping
records of every population), then reads every endpoint the vendor can call — every filter,
every population — and every row of every shared table, and finds the account in none: not its
domain, not its name, not its plain SHA-256, not a keyed hash of it under any key either side
could know, and not in the counts (which stay the same when the account is removed).
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant

from ..lists import ListRow, account_list_replace, account_list_upsert
from ..matching import keyed_digest
from ..models import AccountOverlap, MappingPairSecret, MappingPartnership, OverlapCount
from .support import PARTNER_ROWS, SECRET_DOMAIN, SECRET_NAME, VENDOR_ROWS, active_pair, load_lists, rematch

POPULATIONS = ("customer", "prospect", "open_opportunity")


@pytest.fixture(autouse=True)
def mfa_off(world):
    Tenant.objects.filter(pk=world.a.tenant.pk).update(require_staff_mfa=False)


def api(world, name, **kwargs) -> str:
    return reverse(f"api:{name}", kwargs={"tenant_slug": world.a.tenant.slug, **kwargs})


def every_vendor_response(client, world, pair) -> str:
    """Every GET the vendor can make about this pair and its own side, with every filter."""
    detail = {"public_id": pair.public_id}
    urls = [
        api(world, "mapping-partnership-list"),
        api(world, "mapping-partnership-detail", **detail),
        api(world, "mapping-partnership-recommendations", **detail),
        api(world, "my-account-list-list"),
        api(world, "my-account-list-summary"),
    ]
    overlaps = api(world, "mapping-partnership-overlaps", **detail)
    urls += [overlaps, overlaps + "?q=zz", overlaps + "?q=secret", overlaps + "?q=zeta"]
    urls += [f"{overlaps}?mine={m}&theirs={t}" for m in POPULATIONS for t in POPULATIONS]
    urls += [api(world, "mapping-partnership-shared-list", **detail) + f"?population={p}" for p in POPULATIONS]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        bodies.append(response.content.decode())
    return "\n".join(bodies)


def candidate_digests(pair, secret: str) -> set[str]:
    """The secret domain hashed plainly and keyed with everything either side could know, and with the pair's secret."""
    message = SECRET_DOMAIN.encode()
    keys = [
        b"",
        str(pair.pk).encode(),
        str(pair.public_id).encode(),
        pair.public_id.bytes,
        bytes.fromhex(secret),
        secret.encode(),
    ]
    found = {hashlib.sha256(message).hexdigest()}
    found |= {hmac.new(key, message, hashlib.sha256).hexdigest() for key in keys}
    return found


def shared_tables_dump(world) -> str:
    with tenant_context(world.a.tenant.pk):
        rows = [
            *MappingPartnership.objects.values(),
            *AccountOverlap.objects.values(),
            *OverlapCount.objects.values(),
        ]
    return json.dumps(rows, default=str)


def test_a_non_overlapping_account_cannot_be_recovered_from_the_api_or_the_shared_tables(client, world):
    a = world.a
    load_lists(a)
    pair = active_pair(
        a, partner_sharing=dict.fromkeys(POPULATIONS, "overlaps"), vendor_sharing=dict.fromkeys(POPULATIONS, "overlaps")
    )
    with tenant_context(a.tenant.pk):
        secret = MappingPairSecret.objects.get(partnership=pair).secret
        stored = set(AccountOverlap.objects.values_list("digest", flat=True))
        counts_before = sorted(OverlapCount.objects.values_list("a_population", "b_population", "overlap_count"))
    overlapping = {"shared-customer.example", "prospect-overlap.example", "open-deal.example"}
    # the shared table holds exactly the keyed hashes of the overlapping domains, nothing else
    assert stored == {keyed_digest(secret, domain) for domain in overlapping}
    forbidden = {SECRET_DOMAIN, SECRET_NAME, "zz-secret-partner-only"} | candidate_digests(pair, secret)
    client.force_login(a.owner)
    body = every_vendor_response(client, world, pair)
    table = shared_tables_dump(world)
    for value in forbidden:
        assert value not in body, value
        assert value not in table, value
    assert "Prospect Overlap (partner)" in body  # the overlaps themselves are shared, as chosen
    # and the counts do not depend on the account: without it they are the same
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        account_list_replace(
            tenant=a.tenant,
            actor=a.partner1_admin,
            partner_id=a.partner1.pk,
            rows=[r for r in PARTNER_ROWS if r.domain != SECRET_DOMAIN],
            populations=POPULATIONS,
        )
    rematch(a, pair)
    with tenant_context(a.tenant.pk):
        assert sorted(OverlapCount.objects.values_list("a_population", "b_population", "overlap_count")) == counts_before


def test_the_partner_cannot_recover_the_vendors_non_overlapping_accounts_either(client, world):
    a = world.a
    load_lists(a)
    pair = active_pair(a, vendor_sharing=dict.fromkeys(POPULATIONS, "overlaps"))
    client.force_login(a.partner1_admin)
    detail = {"public_id": pair.public_id}
    bodies = [
        client.get(api(world, "mapping-partnership-overlaps", **detail) + f"?q={q}").content.decode()
        for q in ("", "vendor", "only")
    ]
    bodies += [
        client.get(api(world, name, **detail)).content.decode()
        for name in ("mapping-partnership-detail", "mapping-partnership-recommendations")
    ]
    body = "\n".join(bodies)
    assert "vendor-only-prospect" not in body and "Vendor Only Prospect" not in body
    assert "Prospect Overlap Ltd" in body


def test_counts_only_returns_counts_and_never_a_record(client, world):
    a = world.a
    load_lists(a)
    pair = active_pair(a)  # default: counts for every population, both sides
    client.force_login(a.owner)
    body = every_vendor_response(client, world, pair)
    # the partner's labels all say "(partner)"; the vendor's own list is the only place the domains appear
    assert "(partner)" not in body and SECRET_DOMAIN not in body
    overlaps = client.get(api(world, "mapping-partnership-overlaps", public_id=pair.public_id) + "?mine=prospect&theirs=customer")
    assert overlaps.json()["results"] == []
    assert (
        client.get(api(world, "mapping-partnership-shared-list", public_id=pair.public_id) + "?population=customer").status_code
        == 404
    )
    detail = client.get(api(world, "mapping-partnership-detail", public_id=pair.public_id)).json()
    assert sorted((c["my_population"], c["their_population"], c["overlaps"]) for c in detail["counts"] if c["overlaps"]) == [
        ("customer", "customer", 1),
        ("open_opportunity", "open_opportunity", 1),
        ("prospect", "customer", 1),
    ]
    with tenant_context(a.tenant.pk):
        assert not AccountOverlap.objects.exists()
    # a lead cannot be made of a counts-only overlap, whatever id is tried
    response = client.post(
        api(world, "mapping-partnership-lead", public_id=pair.public_id),
        {"overlap": str(pair.public_id)},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_revoking_through_the_api_leaves_nothing_to_read(client, world):
    a = world.a
    load_lists(a)
    pair = active_pair(a, partner_sharing={"customer": "all"}, vendor_sharing={"prospect": "overlaps"})
    client.force_login(a.owner)
    assert client.get(api(world, "mapping-partnership-overlaps", public_id=pair.public_id)).json()["results"]
    client.force_login(a.partner1_admin)
    response = client.post(api(world, "mapping-partnership-revoke", public_id=pair.public_id))
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    with tenant_context(a.tenant.pk):
        assert (
            not AccountOverlap.objects.exists() and not OverlapCount.objects.exists() and not MappingPairSecret.objects.exists()
        )
    for user in (a.owner, a.partner1_admin):
        client.force_login(user)
        assert client.get(api(world, "mapping-partnership-overlaps", public_id=pair.public_id)).json()["results"] == []
        assert client.get(api(world, "mapping-partnership-detail", public_id=pair.public_id)).json()["counts"] == []
        shared = client.get(api(world, "mapping-partnership-shared-list", public_id=pair.public_id) + "?population=customer")
        assert shared.status_code == 404


def test_both_sides_opt_in_through_the_api(client, world):
    a = world.a
    client.force_login(a.partner1_admin)
    response = client.post(
        api(world, "mapping-partnership-list"),
        {"counterpart": "vendor", "sharing": {"customer": "overlaps"}},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="invite-1",
    )
    assert response.status_code == 201, response.content
    pair_id = response.json()["id"]
    assert response.json()["status"] == "invited" and response.json()["my_sharing"]["customer"] == "overlaps"
    assert client.post(api(world, "mapping-partnership-accept", public_id=pair_id)).status_code == 409  # its own invitation
    client.force_login(a.partner2_admin)
    assert client.post(api(world, "mapping-partnership-accept", public_id=pair_id)).status_code == 404
    client.force_login(a.owner)
    response = client.post(api(world, "mapping-partnership-accept", public_id=pair_id))
    assert response.status_code == 200 and response.json()["status"] == "active"


def test_lists_are_synced_and_uploaded_all_or_nothing(client, world):
    a = world.a
    client.force_login(a.partner1_admin)
    url = api(world, "my-account-list-sync")
    response = client.post(
        url,
        {"accounts": [{"population": "customer", "domain": "https://www.acme.example", "name": "Acme", "external_id": "1"}]},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["created"] == 1
    response = client.post(
        url,
        {
            "mode": "upsert",
            "accounts": [
                {"population": "prospect", "domain": "acme.example", "name": "Acme Corp", "external_id": "1"},
                {"population": "nonsense", "domain": "x.example", "external_id": "2"},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"line": 2, "column": "population", "message": "Use customer, prospect or open_opportunity."}
    ]
    upload = client.post(api(world, "my-account-list-upload"), {"file": _csv(b"population,domain\ncustomer,beta.example\n")})
    assert upload.status_code == 200
    listed = client.get(api(world, "my-account-list-list")).json()["results"]
    assert sorted((r["population"], r["domain"]) for r in listed) == [("customer", "beta.example")]
    assert client.get(api(world, "my-account-list-summary")).json() == {"customer": 1, "prospect": 0, "open_opportunity": 0}
    assert client.post(api(world, "my-account-list-crm-sync")).status_code == 403  # the vendor's only


def _csv(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("list.csv", data, content_type="text/csv")


def _counted(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    payload = response.json()
    return len(queries), len(payload["results"] if isinstance(payload, dict) else payload)


def test_list_endpoints_use_a_constant_number_of_queries(client, world):
    a = world.a
    load_lists(a)
    pair = active_pair(a, partner_sharing={"customer": "overlaps"})
    client.force_login(a.owner)
    urls = [
        api(world, "my-account-list-list"),
        api(world, "mapping-partnership-overlaps", public_id=pair.public_id),
        api(world, "mapping-partnership-list"),
    ]
    few = [_counted(client, url) for url in urls]
    rows = [ListRow("prospect", f"more{i}.example", f"More {i}", f"m-{i}") for i in range(20)]
    with tenant_context(a.tenant.pk):
        account_list_upsert(tenant=a.tenant, actor=a.owner, partner_id=None, rows=rows)
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        account_list_upsert(
            tenant=a.tenant,
            actor=a.partner1_admin,
            partner_id=a.partner1.pk,
            rows=[ListRow("customer", r.domain, r.name, "p" + r.external_id) for r in rows],
        )
    rematch(a, pair)
    active_pair(a, partner_org=a.partner2)
    many = [_counted(client, url) for url in urls]
    assert [n for _q, n in few] == [len(VENDOR_ROWS), 2, 1]
    assert [n for _q, n in many] == [len(VENDOR_ROWS) + 20, 22, 2]
    assert [q for q, _n in many] == [q for q, _n in few] == EXPECTED_QUERIES


# Each: tenant, session, user, savepoint, scope settings, membership, …, release, settings reset (8), plus
# my-account-list: the page of accounts (1);
# overlaps: the pair, its partners' names, the page of overlaps with each own account joined (3);
# mapping-partnerships: the pairs, their partners' names, every pair's counts at once (3).
EXPECTED_QUERIES = [9, 11, 11]
