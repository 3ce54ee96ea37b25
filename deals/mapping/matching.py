"""Matching two lists with keyed hashes, in one SQL statement.

The privacy argument, in the order the statement runs:

1. Both sides' domains become keyed hashes inside PostgreSQL: HMAC-SHA256's inner hash
   ``sha256((K ⊕ ipad) ‖ domain)`` for the join (equal exactly when the HMACs are, so only the
   overlaps get the outer hash too), and ``HMAC-SHA256(pair secret, domain)`` for what is stored. The secret is
   32 random bytes made when the pair becomes active, kept in a staff-only table
   (:class:`~deals.mapping.models.MappingPairSecret`) that no page or API returns, and deleted when
   either side revokes. HMAC is built from core ``sha256()`` (no pgcrypto in the embedded server):
   ``sha256((K ⊕ opad) ‖ sha256((K ⊕ ipad) ‖ m))`` with ``K`` the key padded to 64 bytes; the two
   padded keys are passed as parameters and never stored.
2. A hash join keeps the hashes present on both lists. Non-matching rows exist only inside the
   statement's working memory: nothing about them is written anywhere.
3. The statement writes, for the overlapping accounts only, one :class:`AccountOverlap` row per
   (account, population pair) — the digest, each side's population and each side's label, the
   label only when that side shares that population's records (*overlaps* or *all*) — and
   :class:`OverlapCount` rows. A row no viewer may read at record level (both sides *counts* or
   *none*) is not stored at all; a count neither side shares (both *none*) is not stored either.
4. The previous results of the pair are deleted in the same transaction, under a lock on the pair
   row; revoking takes the same lock, so a match that finishes after a revoke cannot bring the
   overlaps back (it finds the pair revoked and the secret gone, and writes nothing).

A digest is useless outside the pair: it is keyed with a secret neither side ever sees, and after a
revoke the secret is gone, so even the stored digests of former overlaps cannot be recomputed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ecosystem.tenancy.models import Tenant

from .models import (
    SHARING_RANK,
    AccountOverlap,
    MappingPairSecret,
    MappingPartnership,
    MappingPartnershipStatus,
    MappingSide,
    OverlapCount,
    SharingLevel,
)

SECRET_BYTES = 32
BLOCK = 64  # SHA-256 block size: HMAC keys up to this length are padded, longer ones hashed first


def new_secret() -> str:
    """32 random bytes, as hex (the column is text so that it compares and prints the same everywhere)."""
    return secrets.token_bytes(SECRET_BYTES).hex()


def hmac_pads(secret: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of HMAC-SHA256 (RFC 2104) for ``secret``."""
    key = secret if len(secret) <= BLOCK else hashlib.sha256(secret).digest()
    key = key.ljust(BLOCK, b"\0")
    return bytes(k ^ 0x36 for k in key), bytes(k ^ 0x5C for k in key)


def keyed_digest(secret: bytes | str, domain: str) -> str:
    """What the database stores, computed in Python (hex): for tests and checks."""
    key = bytes.fromhex(secret) if isinstance(secret, str) else secret
    return hmac.new(key, domain.encode(), hashlib.sha256).hexdigest()


def _inner_sql(column: str) -> str:
    """HMAC's inner hash, sha256((K ⊕ ipad) ‖ m): itself keyed with the secret, and equal exactly when the HMACs are."""
    return f"sha256(%(ipad)s || convert_to({column}, 'UTF8'))"


def _side_sql(alias: str, partner_id: int | None) -> str:
    owner = "partner_id IS NULL" if partner_id is None else f"partner_id = %({alias}_partner)s"
    return (
        f"SELECT id, population, name, domain, {_inner_sql('domain')} AS inner_hash "
        f"FROM mapping_mappingaccount WHERE tenant_id = %(tenant)s AND {owner}"
    )


def populations_at_least(sharing: dict[str, str], level: str) -> list[str]:
    return [population for population, shared in sharing.items() if SHARING_RANK.get(shared, 0) >= SHARING_RANK[level]]


MATCH_SQL = """
WITH side_a AS ({side_a}), side_b AS ({side_b}),
matched AS MATERIALIZED (
    SELECT sha256(%(opad)s || a.inner_hash) AS digest, a.id AS a_id, a.population AS a_population, a.name AS a_name, a.domain AS a_domain,
           b.id AS b_id, b.population AS b_population, b.name AS b_name, b.domain AS b_domain
    FROM side_a a JOIN side_b b ON a.inner_hash = b.inner_hash
),
counted AS (
    INSERT INTO mapping_overlapcount (tenant_id, partnership_id, team_partner_ids, a_population, b_population, overlap_count)
    SELECT %(tenant)s, %(pair)s, %(team)s, a_population, b_population, count(*) FROM matched
    WHERE a_population = ANY(%(a_counts)s) OR b_population = ANY(%(b_counts)s)
    GROUP BY a_population, b_population
    RETURNING overlap_count
)
INSERT INTO mapping_accountoverlap (tenant_id, public_id, partnership_id, team_partner_ids, digest, a_population, b_population,
                                    a_account_id, b_account_id, a_name, a_domain, b_name, b_domain)
SELECT %(tenant)s, gen_random_uuid(), %(pair)s, %(team)s, encode(digest, 'hex'), a_population, b_population, a_id, b_id,
       CASE WHEN a_population = ANY(%(a_records)s) THEN a_name ELSE '' END,
       CASE WHEN a_population = ANY(%(a_records)s) THEN a_domain ELSE '' END,
       CASE WHEN b_population = ANY(%(b_records)s) THEN b_name ELSE '' END,
       CASE WHEN b_population = ANY(%(b_records)s) THEN b_domain ELSE '' END
FROM matched
WHERE a_population = ANY(%(a_records)s) OR b_population = ANY(%(b_records)s)
"""  # a data-modifying CTE ("counted") always runs to completion, read or not


@dataclass(frozen=True)
class MatchOutcome:
    matched: bool
    overlaps: int  # accounts counted (population pairs either side shares at least as counts)
    records: int  # overlap rows stored


def partnership_match(*, tenant: Tenant, partnership_id: int) -> MatchOutcome:
    """Recompute one active pair's overlaps and counts from both lists, replacing the previous results.

    Runs in staff scope (the task's): it reads both lists and the secret, which partner scopes cannot.
    Locks the pair row; a pair that is not active (or has no secret) gets no results.
    """
    with transaction.atomic():
        pair = MappingPartnership.objects.select_for_update().filter(tenant=tenant, pk=partnership_id).first()
        if pair is None:
            return MatchOutcome(matched=False, overlaps=0, records=0)
        AccountOverlap.objects.filter(tenant=tenant, partnership=pair).delete()
        OverlapCount.objects.filter(tenant=tenant, partnership=pair).delete()
        secret = MappingPairSecret.objects.filter(tenant=tenant, partnership=pair).values_list("secret", flat=True).first()
        if pair.status != MappingPartnershipStatus.ACTIVE or secret is None:
            return MatchOutcome(matched=False, overlaps=0, records=0)
        ipad, opad = hmac_pads(bytes.fromhex(secret))
        a_sharing, b_sharing = pair.sharing_of(MappingSide.A), pair.sharing_of(MappingSide.B)
        params: dict[str, Any] = {
            "tenant": tenant.pk,
            "pair": pair.pk,
            "team": list(pair.team_partner_ids),
            "ipad": ipad,
            "opad": opad,
            "a_partner": pair.partner_a_id,
            "b_partner": pair.partner_b_id,
            "a_counts": populations_at_least(a_sharing, SharingLevel.COUNTS),
            "b_counts": populations_at_least(b_sharing, SharingLevel.COUNTS),
            "a_records": populations_at_least(a_sharing, SharingLevel.OVERLAPS),
            "b_records": populations_at_least(b_sharing, SharingLevel.OVERLAPS),
        }
        sql = MATCH_SQL.format(side_a=_side_sql("a", pair.partner_a_id), side_b=_side_sql("b", pair.partner_b_id))
        with connection.cursor() as cursor:
            # A hash join, the smaller list's table in memory: the planner would rather sort both lists by
            # digest (it cannot estimate a hash of a hash) and compile the hashing with JIT, both slower
            # here (bench/RESULTS.md). Local to this transaction.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params)
            records = cursor.rowcount
            # back to the defaults for whatever else this transaction runs (a demo seed, a test)
            cursor.execute("SET LOCAL work_mem TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT; SET LOCAL jit TO DEFAULT")
            cursor.execute(
                "SELECT COALESCE(sum(overlap_count), 0) FROM mapping_overlapcount WHERE tenant_id = %s AND partnership_id = %s",
                [tenant.pk, pair.pk],
            )
            overlaps = int(cursor.fetchone()[0])
        MappingPartnership.objects.filter(tenant=tenant, pk=pair.pk).update(matched_at=timezone.now())
    return MatchOutcome(matched=True, overlaps=overlaps, records=records)
