"""Customer accounts: one per end customer, found again by registrable domain or by a similar name.

* :func:`root_domain` — ``emea.acme.co.uk`` → ``acme.co.uk``: the registrable part, from tldextract's
  bundled public-suffix list (never fetched). Two registrations are about the same customer when
  their root domains are equal, whatever subdomain each typed.
* :func:`name_key` — the comparable name (``"ACME, Inc."`` → ``"acme"``): the same normalisation as
  denied-party screening (case, accents, punctuation and legal forms such as Inc, GmbH, Ltd dropped).
* :func:`similar_accounts` — candidates that share the most name tokens (the first four letters of
  each word, kept by a database trigger), then scored with rapidfuzz; only those at or above the
  threshold are returned, best first.
* :func:`account_for_customer` — the account of a domain, created if new, and locked: concurrent
  first registrations of one new customer meet on the unique (tenant, root domain) index and then
  queue on the row lock, so each sees what the one before it committed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import tldextract
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from onboarding.screening import normalize_name
from partners.domains import normalize_domain

from .models import ACTIVE_STATUSES, AccountOwner, CustomerAccount, CustomerAccountToken

SIMILAR_CANDIDATES = 50  # at most this many index candidates are scored for one name
# A token shared by more accounts than this ("tech", "glob") says little about which customer is
# meant; it is used only when the name has no rarer token. Counting stops at the cap, so the
# check costs a few index pages whatever the table's size.
COMMON_TOKEN_ACCOUNTS = 2000


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=(): the snapshot shipped in the wheel, never a download; no cache directory either.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def root_domain(domain: str) -> str:
    """The registrable part of a normalised domain; for names outside the public-suffix list, the last two labels."""
    if not domain:
        return ""
    parts = _extractor()(domain)
    registrable = parts.top_domain_under_public_suffix
    return registrable or ".".join(domain.split(".")[-2:])


def name_key(name: str) -> str:
    return normalize_name(name or "")[:200]


def clean_customer(*, name: str, domain: str) -> tuple[str, str]:
    """The customer's name (trimmed) and normalised domain; both required, errors name their field."""
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("Enter the customer's company name."), code="required", field="customer_name")
    if len(name) > 200:
        raise ApplicationError(_("Use at most 200 characters."), code="max_length", field="customer_name")
    if not (domain or "").strip():
        raise ApplicationError(
            _("Enter the customer's website domain, for example acme.com."), code="required", field="customer_domain"
        )
    return name, normalize_domain(domain, field="customer_domain")


@dataclass(frozen=True)
class SimilarAccount:
    account: CustomerAccount
    score: int  # 0-100


def name_tokens(name: str) -> list[str]:
    """The search tokens of a name: the first four letters of each word of its comparable form.

    The same rule as the database trigger that fills :class:`~deals.models.CustomerAccountToken`.
    """
    return sorted({word[:4] for word in name_key(name).split()})


def _telling_tokens(*, tenant: Tenant, tokens: list[str]) -> list[str]:
    """The tokens rarer than :data:`COMMON_TOKEN_ACCOUNTS` accounts; all of them when none is. One query."""
    if len(tokens) < 2:
        return tokens
    with connection.cursor() as cursor:
        # Row-level security applies inside: only this tenant's tokens are counted.
        cursor.execute(
            "SELECT q.tok, (SELECT count(*) FROM (SELECT 1 FROM deals_customeraccounttoken t "
            "WHERE t.tenant_id = %s AND t.token = q.tok LIMIT %s) capped) FROM unnest(%s::text[]) AS q(tok)",
            [tenant.pk, COMMON_TOKEN_ACCOUNTS + 1, tokens],
        )
        counts = dict(cursor.fetchall())
    rare = [token for token in tokens if counts.get(token, 0) <= COMMON_TOKEN_ACCOUNTS]
    return rare or tokens


def similar_accounts(*, tenant: Tenant, name: str, threshold: int, exclude_id: int | None = None) -> list[SimilarAccount]:
    """Accounts whose comparable name scores at least ``threshold`` against ``name``, best first.

    Two indexed queries for the candidates — how common each of the name's tokens is (very common
    ones are left out when rarer ones exist), then the accounts sharing most of the remaining
    tokens (btree on (tenant, token, account): leakproof equality, so usable under row-level
    security, read from the index alone) — then rapidfuzz's token-sort ratio on the comparable
    names. A name without words is never similar.
    """
    key = name_key(name)
    tokens = _telling_tokens(tenant=tenant, tokens=name_tokens(name))
    if not key or not tokens:
        return []
    best_sharing = (
        CustomerAccountToken.objects.filter(tenant=tenant, token__in=tokens)
        .exclude(account_id=exclude_id)
        .values("account_id")
        .annotate(shared=Count("account"))
        .order_by("-shared", "account_id")
        .values_list("account_id", flat=True)[:SIMILAR_CANDIDATES]
    )
    candidates = CustomerAccount.objects.filter(tenant=tenant, pk__in=list(best_sharing)).only(
        "id", "public_id", "name", "name_key", "domain", "root_domain"
    )
    scored = [SimilarAccount(account, round(fuzz.token_sort_ratio(key, account.name_key))) for account in candidates]
    return sorted((s for s in scored if s.score >= threshold), key=lambda s: (-s.score, s.account.pk))


def account_for_customer(*, tenant: Tenant, name: str, domain: str) -> tuple[CustomerAccount, bool]:
    """The account for this customer domain, created from the registration if it is new; locked until commit.

    Returns ``(account, created)``. The caller must be inside a transaction and a scope that may
    read every account (staff, or :func:`~ecosystem.tenancy.context.across_partners`).
    """
    root = root_domain(domain)
    account = CustomerAccount.objects.select_for_update().filter(tenant=tenant, root_domain=root).first()
    if account is not None:
        return account, False
    try:
        # Of concurrent first registrations one inserts; the others wait for it to commit, fail on
        # the unique index, and lock the row it wrote.
        with transaction.atomic():
            account = CustomerAccount.objects.create(
                tenant=tenant, name=name, name_key=name_key(name), domain=domain, root_domain=root
            )
        return account, True
    except IntegrityError:
        return CustomerAccount.objects.select_for_update().get(tenant=tenant, root_domain=root), False


def account_list(*, tenant: Tenant, query: str = "") -> QuerySet[CustomerAccount]:
    """Accounts by name with their active registrations and open direct opportunities (the portal's and the
    API's list). ``query``: the comparable name or the registrable domain starts with it."""
    accounts = account_search(CustomerAccount.objects.filter(tenant=tenant), query)
    return accounts.annotate(
        active_registrations=Count("registrations", filter=Q(registrations__status__in=ACTIVE_STATUSES), distinct=True),
        open_direct=Count("direct_opportunities", filter=Q(direct_opportunities__is_open=True), distinct=True),
    ).order_by("name", "id")


def account_search(accounts: QuerySet[CustomerAccount], query: str) -> QuerySet[CustomerAccount]:
    """``accounts`` whose comparable name or registrable domain starts with ``query`` (all of them for none)."""
    query = " ".join((query or "").split())
    if not query:
        return accounts
    return accounts.filter(Q(name_key__startswith=name_key(query)) | Q(root_domain__startswith=query.lower()))


def customer_account_create(
    *,
    tenant: Tenant,
    actor: Any,
    name: str,
    domain: str = "",
    industry: str = "",
    region: str = "",
    owner_kind: str = AccountOwner.NONE,
    external_id: str = "",
) -> CustomerAccount:
    """Add an account by hand (or from an import row). A domain already taken is refused with ``duplicate_domain``."""
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("Enter the customer's company name."), code="required", field="name")
    domain = normalize_domain(domain, field="domain")
    root = root_domain(domain)
    if root and CustomerAccount.objects.filter(tenant=tenant, root_domain=root).exists():
        raise ApplicationError(_("An account with this domain already exists."), code="duplicate_domain", field="domain")
    if owner_kind not in AccountOwner.values:
        raise ApplicationError(_("Choose an owner from the list."), code="invalid_choice", field="owner_kind")
    with transaction.atomic():
        account = CustomerAccount.objects.create(
            tenant=tenant,
            name=name[:200],
            name_key=name_key(name),
            domain=domain,
            root_domain=root,
            industry=(industry or "").strip()[:80],
            region=region or "",
            owner_kind=owner_kind,
            external_id=(external_id or "").strip()[:80],
        )
        audit_record(
            tenant=tenant, actor=actor, action="deals.account_create", target=account, changes={"name": name, "domain": domain}
        )
    return account
