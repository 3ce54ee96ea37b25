"""Benchmark: the REST API under load (issue 9), with gunicorn and PostgreSQL, on loopback.

One tenant of 10,000 partners, 300,000 customer accounts and 1,000,000 deal registrations (10 % of
them pending, the managers' queue), seeded server-side as the owner role (bench/seeding.py, not timed)
and kept between runs: the seed is skipped when the bench database already holds it
(BENCH_LOAD_RESEED=1 seeds again).

gunicorn serves the project's WSGI application under bench/load_settings.py (production settings, plus
the comparison views of bench/load_views.py at ``/bench/raw/…``), connected as the app role under
row-level security like the product. gthread workers: 2 processes (one per core) × 5 threads; see
``WORKERS`` for why. Ten client threads, each with its own keep-alive ``http.client`` connection, run
each scenario for at most BENCH_LOAD_REQUESTS requests (2,000) or BENCH_LOAD_SECONDS (60 s), after a
warm-up of 200 requests that is not counted (an API list and its hand-written view alternate in four
rounds that share that budget, so that other work on the machine falls on both alike); any answer
other than the expected 2xx, or a broken connection, is an error. Before the load, each hand-written
page is checked to hold the API page's rows, fields and next cursor.

Scenarios: the client's own ceiling (a trivial asyncio HTTP server, no Django) and the Django floor
(``/bench/ping/``: middleware only); then, API against the hand-written view: the partner list (first
page, and a cursor page 100 pages in), the registration queue (first page, and a cursor page 20 in);
a partner user's own registrations (``my-registrations/``, session); the registration POST
(``my-registrations/``, a distinct new customer each, as a partner user with a session: API keys may not
register deals). API keys authenticate the staff lists. The API's rate limits are raised through
API_TENANT_RATE / API_CLIENT_RATE, out of the bench's way (they still run: two counters each request).

Run: ``.venv/bin/python -m ecosystem.devstack exec .venv/bin/python bench/api_load.py``
(DATABASE_URL picks the server, embedded when unset; the database is BENCH_LOAD_DATABASE, default
``bench_load``; REDIS_URL the cache, throttles and broker). BENCH_LOAD_SCALE (default 1; 0.01 for a
quick check). Appends to bench/RESULTS.md unless BENCH_LOAD_NO_RECORD is set; BENCH_LOAD_SEED_ONLY=1
seeds (if needed) and stops. For diagnosis: BENCH_LOAD_ONLY=<text> runs only the pairs whose label holds
it; BENCH_LOAD_WORKER_CLASS / _WORKERS / _THREADS try other gunicorn set-ups; BENCH_LOAD_NO_THROTTLE=1
turns the API's rate limits off (bench/load_settings.py) to see what they cost.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.test")
# One secret for this process and the gunicorn workers: the partner user's session is signed here.
os.environ.setdefault("DJANGO_SECRET_KEY", __import__("secrets").token_urlsafe(40))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import seeding  # noqa: E402
from bench.results import append, machine  # noqa: E402
from ecosystem.tenancy import bootstrap  # noqa: E402
from ecosystem.tenancy.context import tenant_context  # noqa: E402
from ecosystem.tenancy.models import Tenant  # noqa: E402

NAME = os.environ.get("BENCH_LOAD_DATABASE", "bench_load")
SCALE = float(os.environ.get("BENCH_LOAD_SCALE", "1"))
PARTNERS = max(200, round(10_000 * SCALE))
DEALS = max(20_000, round(1_000_000 * SCALE))
ACCOUNTS = max(6_000, round(300_000 * SCALE))
REQUESTS = int(os.environ.get("BENCH_LOAD_REQUESTS", "2000"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
WARMUP = int(os.environ.get("BENCH_LOAD_WARMUP", "200"))
CLIENTS = 10
SLUG = "load"
# 2 cores, shared by gunicorn, PostgreSQL and the client. A request is mostly Python (CPU) with a few
# short database round trips: one process per core keeps both cores busy; five threads each let a
# process run Python while other requests wait on PostgreSQL, and 2 × 5 slots match the 10 clients, so
# nothing queues in the listen backlog. gthread also keeps connections alive (sync workers close
# each one), as a real client's HTTP pool would.
WORKER_CLASS = os.environ.get("BENCH_LOAD_WORKER_CLASS", "gthread")
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "5"))
ROUNDS = 4  # API and hand-written view alternate, see load_pair()
RATE = "100000000/min"  # a sliding-window counter costs the same at any rate (bench/throttle.py)
QUEUE = "bench-load"
DEEP_PARTNER_PAGES = min(100, PARTNERS // 100)  # halfway down the list


# --- seed ------------------------------------------------------------------------------------------


def seeded() -> Tenant | None:
    from deals.models import DealRegistration
    from partners.models import PartnerOrganization

    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is None:
        return None
    with tenant_context(tenant.pk):
        if PartnerOrganization.objects.count() < PARTNERS or DealRegistration.objects.count() < DEALS:
            return None
    return tenant


def seed(today: datetime.date) -> Tenant:
    from deals.models import CustomerAccount, EngagementRules, ProductLine
    from ecosystem.accounts.models import Membership, Role, User
    from partners.models import PartnerOrganization, Tier

    started = time.perf_counter()
    tenant = Tenant.objects.create(slug=SLUG, name="API load bench", require_staff_mfa=False)
    owner = User.objects.create_user(f"owner@{SLUG}.example", "bench-password-1")
    with tenant_context(tenant.pk):
        Membership.objects.create(tenant=tenant, user=owner, role=Role.OWNER)
        EngagementRules.objects.create(tenant=tenant, currency="USD")
        ProductLine.objects.create(tenant=tenant, name="Compute", slug="compute")
        tier_ids = [Tier.objects.create(tenant=tenant, name=name, rank=rank).pk for rank, name in enumerate(["Silver", "Gold"])]
    seeding.owner_sql(
        tenant, seeding.partner_statements(tenant, tier_ids=tier_ids, partners=PARTNERS, accounts=ACCOUNTS, today=today)
    )
    with tenant_context(tenant.pk):
        partner_ids = list(PartnerOrganization.objects.order_by("pk").values_list("pk", flat=True))
        first_account = CustomerAccount.objects.order_by("pk").values_list("pk", flat=True).first()
    seeding.owner_sql(
        tenant,
        [
            seeding.registration_statement(
                tenant, partner_ids=partner_ids, first_account=first_account, accounts=ACCOUNTS, registrations=DEALS, today=today
            )
        ],
    )
    with connections["owner"].cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"seeded in {time.perf_counter() - started:.1f} s (not timed)")
    return tenant


def sizes(tenant: Tenant) -> dict[str, tuple[int, str]]:
    tables = {
        "partners": "partners_partnerorganization",
        "registrations": "deals_dealregistration",
        "accounts": "deals_customeraccount",
    }
    found = {}
    with tenant_context(tenant.pk, using="owner"), connections["owner"].cursor() as cursor:
        for name, table in tables.items():
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {table} WHERE tenant_id = %s), pg_size_pretty(pg_total_relation_size(%s))",
                [tenant.pk, table],
            )
            found[name] = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM deals_dealregistration WHERE tenant_id = %s AND status IN "
            "('pending', 'under_review', 'info_requested')",
            [tenant.pk],
        )
        found["waiting for a decision"] = (cursor.fetchone()[0], "")
    return found


@dataclass
class Credentials:
    api_key: str  # Authorization: Bearer …, staff lists
    session: str  # a partner user's session cookie
    csrf: str


def credentials(tenant: Tenant) -> Credentials:
    """A fresh read key (owner), and a session for a partner rep of the first active partner (made once)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from ecosystem.accounts.models import Membership, Role, User
    from ecosystem.api.models import ApiKeyScope
    from ecosystem.api.services import api_key_create
    from partners.models import PartnerOrganization

    owner = User.objects.get(email=f"owner@{SLUG}.example")
    rep, _created = User.objects.get_or_create(email=f"rep@{SLUG}.example")
    with tenant_context(tenant.pk):
        issued = api_key_create(tenant=tenant, actor=owner, name=f"load {timezone.now():%H:%M:%S}", scope=ApiKeyScope.READ)
        if not Membership.objects.filter(user=rep).exists():
            partner = PartnerOrganization.objects.filter(status="active").order_by("pk").first()
            Membership.objects.create(tenant=tenant, user=rep, role=Role.PARTNER_REP, partner=partner)
    session = SessionStore()
    session[SESSION_KEY] = str(rep.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = rep.get_session_auth_hash()
    session.create()
    return Credentials(api_key=issued.plaintext, session=session.session_key, csrf=secrets.token_hex(16))


# --- servers ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, path: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {seconds:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gunicorn(port: int) -> subprocess.Popen:
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    database_url = urllib.parse.urlunsplit(url._replace(path=f"/{NAME}"))
    prefix = settings.DATABASE_ROLE_PREFIX
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "DATABASE_URL": database_url,
        # The passwords the roles already have (bootstrap sets them from the same defaults).
        **{f"DATABASE_{role.upper()}_PASSWORD": config["PASSWORD"] for role, config in _role_passwords(prefix).items()},
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "DJANGO_SECURE_COOKIES": "false",
        "API_TENANT_RATE": RATE,
        "API_CLIENT_RATE": RATE,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "CELERY_DEFAULT_QUEUE": QUEUE,
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",  # WhiteNoise: no collectstatic for an API bench
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "ecosystem.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        WORKER_CLASS,
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--keep-alive",
        "30",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    _wait_for(port, "/bench/ping/", process)
    return process


def _role_passwords(prefix: str) -> dict[str, dict]:
    names = {"default": "app", "owner": "owner", "platform": "platform"}
    return {names[alias]: config for alias, config in settings.DATABASE_ROLES.items()}


TRIVIAL_SERVER = r"""
import asyncio, sys
BODY = b'{"ok":true}'
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
class Server(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""
    def data_received(self, data):
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            _head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self.transport.write(RESPONSE)
async def main():
    server = await asyncio.get_running_loop().create_server(Server, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
"""


def trivial_server(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", TRIVIAL_SERVER, str(port)], start_new_session=True)
    _wait_for(port, "/", process)
    return process


# --- the load generator ----------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None
    expect: int = 200


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # ms
    errors: int = 0
    first_error: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))] if ordered else 0.0


def phase(port: int, name: str, make_request, budget: int, limit: float) -> Result:
    """``CLIENTS`` threads, each on its own keep-alive connection, share ``budget`` requests and ``limit`` seconds."""
    counter = iter(range(budget))
    lock = threading.Lock()
    result = Result(name=name, requests=0, seconds=0.0)
    deadline = time.perf_counter() + limit

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies, errors, first = [], 0, ""
        while time.perf_counter() < deadline:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            request = make_request(index)
            started = time.perf_counter()
            try:
                connection.request(request.method, request.path, body=request.body, headers=request.headers)
                response = connection.getresponse()
                payload = response.read()
                ok = response.status == request.expect
                if not ok and not first:
                    first = f"{response.status} {payload[:300]!r}"
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                ok = False
                first = first or repr(error)
                connection.close()
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok
        connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.first_error = result.first_error or first

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.requests = len(result.latencies)
    return result


def report(result: Result) -> Result:
    print(
        f"{result.name:58} {result.rps:7.1f} rps  p50 {result.percentile(50):6.1f}  p95 {result.percentile(95):6.1f}  "
        f"p99 {result.percentile(99):6.1f} ms  {result.requests:5} requests, {result.errors} errors"
        + (f"  first error: {result.first_error}" if result.errors else ""),
        flush=True,
    )
    return result


def load(port: int, name: str, make_request) -> Result:
    """One scenario: a warm-up, then at most ``REQUESTS`` requests or ``SECONDS`` seconds."""
    if WARMUP:
        phase(port, name, make_request, WARMUP, SECONDS)
    return report(phase(port, name, make_request, REQUESTS, SECONDS))


def load_pair(port: int, names: tuple[str, str], requests: tuple) -> tuple[Result, Result]:
    """Two scenarios compared, in ``ROUNDS`` alternating rounds (A, B, A, B, …) that share the budget, so
    that a change in the machine's load (other work on the same cores) falls on both alike."""
    results = [Result(name=name, requests=0, seconds=0.0) for name in names]
    for name, make_request in zip(names, requests, strict=True):
        if WARMUP:
            phase(port, name, make_request, WARMUP, SECONDS)
    for _round in range(ROUNDS):
        for total, make_request in zip(results, requests, strict=True):
            part = phase(port, total.name, make_request, REQUESTS // ROUNDS, SECONDS / ROUNDS)
            total.latencies += part.latencies
            total.requests += part.requests
            total.seconds += part.seconds
            total.errors += part.errors
            total.first_error = total.first_error or part.first_error
    return report(results[0]), report(results[1])


def get_json(port: int, path: str, headers: dict[str, str]) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200, (path, response.status, body[:500])
    return json.loads(body)


def cursor_path(port: int, path: str, headers: dict[str, str], pages: int) -> str:
    """The path of the page ``pages`` pages after the first, followed through the API's ``next`` links."""
    for _ in range(pages):
        following = get_json(port, path, headers)["next"]
        assert following, f"fewer than {pages} pages behind {path}"
        parts = urllib.parse.urlsplit(following)
        path = f"{parts.path}?{parts.query}"
    return path


def same_rows(port: int, api_path: str, raw_path: str, headers: dict[str, str]) -> None:
    """The hand-written view answers the same rows, fields and next cursor as the API, or the comparison is void."""
    api, raw = get_json(port, api_path, headers), get_json(port, raw_path, headers)
    assert [r["id"] for r in api["results"]] == [r["id"] for r in raw["results"]], (api_path, raw_path)
    assert len(api["results"]) == 50, len(api["results"])
    assert set(api["results"][0]) == set(raw["results"][0]), set(api["results"][0]) ^ set(raw["results"][0])
    api_next = urllib.parse.parse_qs(urllib.parse.urlsplit(api["next"]).query)["cursor"]
    raw_next = urllib.parse.parse_qs(urllib.parse.urlsplit(raw["next"]).query)["cursor"]
    assert api_next == raw_next, (api_next, raw_next)


def purge_queue() -> None:
    """Drop the tasks the POSTs queued for a worker that is not running (this bench's queue only)."""
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(QUEUE)


# --- main ------------------------------------------------------------------------------------------


def main() -> None:
    if os.environ.get("BENCH_LOAD_RESEED"):
        bootstrap.drop_database(NAME)
    bootstrap.use_database(NAME)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    print(version)
    tenant = seeded()
    if tenant is None:
        if Tenant.objects.filter(slug=SLUG).exists():  # a partial seed (an interrupted run): start over
            connections.close_all()
            bootstrap.drop_database(NAME)
            bootstrap.use_database(NAME)
        print(f"seeding {PARTNERS:,} partners, {ACCOUNTS:,} accounts, {DEALS:,} registrations …", flush=True)
        tenant = seed(timezone.localdate())
    else:
        print("the bench database already holds the seed (BENCH_LOAD_RESEED=1 seeds again)")
    table_sizes = sizes(tenant)
    print(", ".join(f"{name} {rows:,}" + (f" ({size})" if size else "") for name, (rows, size) in table_sizes.items()))
    if os.environ.get("BENCH_LOAD_SEED_ONLY"):
        return
    keys = credentials(tenant)
    connections.close_all()

    results: list[Result] = []
    trivial_port = _free_port()
    trivial = trivial_server(trivial_port)
    try:
        ceiling = load(trivial_port, "client ceiling (trivial asyncio server, no Django)", lambda i: Request("GET", "/", {}))
    finally:
        _stop(trivial)

    port = _free_port()
    server = gunicorn(port)
    load_started = os.getloadavg()[0]
    try:
        base = f"/api/v1/t/{SLUG}"
        raw = f"/bench/raw/t/{SLUG}"
        key = {"Authorization": f"Bearer {keys.api_key}"}
        partner_user = {"Cookie": f"sessionid={keys.session}; csrftoken={keys.csrf}"}
        partners_deep = cursor_path(port, f"{base}/partners/", key, DEEP_PARTNER_PAGES)
        queue_deep = cursor_path(port, f"{base}/deal-registrations/", key, 20)
        raw_partners_deep = partners_deep.replace(base, raw, 1)
        raw_queue_deep = queue_deep.replace(base, raw, 1)
        for api_path, raw_path in (
            (f"{base}/partners/", f"{raw}/partners/"),
            (partners_deep, raw_partners_deep),
            (f"{base}/deal-registrations/", f"{raw}/deal-registrations/"),
            (queue_deep, raw_queue_deep),
        ):
            same_rows(port, api_path, raw_path, key)

        def get(path: str, headers: dict[str, str]):
            return lambda i: Request("GET", path, headers)

        results.append(load(port, "Django floor: /bench/ping/ (middleware only)", get("/bench/ping/", {})))
        pairs = [
            ("partner list, first page", f"{base}/partners/", f"{raw}/partners/"),
            (f"partner list, cursor page {DEEP_PARTNER_PAGES + 1}", partners_deep, raw_partners_deep),
            ("registration queue, first page", f"{base}/deal-registrations/", f"{raw}/deal-registrations/"),
            ("registration queue, cursor page 21", queue_deep, raw_queue_deep),
        ]
        ratios = []
        only = os.environ.get("BENCH_LOAD_ONLY", "")  # e.g. "partner": only the pairs whose label holds it
        for label, api_path, raw_path in pairs:
            if only not in label:
                continue
            api_result, raw_result = load_pair(port, (f"API  {label}", f"raw  {label}"), (get(api_path, key), get(raw_path, key)))
            results += [api_result, raw_result]
            ratios.append((label, api_result, raw_result))
            print(f"{'':58} ratio API / raw {api_result.rps / raw_result.rps:.2f}", flush=True)
        if only:  # a diagnosis of some pairs: no partner-user scenarios
            return
        results.append(
            load(
                port, "API  my-registrations, first page (partner user, session)", get(f"{base}/my-registrations/", partner_user)
            )
        )

        run = uuid.uuid4().hex[:8]
        close = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()

        def register(i: int) -> Request:
            body = {
                "customer_name": f"Loadtest {run} Customer {i}",
                "customer_domain": f"c{i}-{run}.load.example",
                "contact_name": "Pat Doe",
                "product_lines": ["compute"],
                "value": "25000.00",
                "currency": "USD",
                "expected_close_date": close,
            }
            headers = {**partner_user, "X-CSRFToken": keys.csrf, "Content-Type": "application/json"}
            return Request("POST", f"{base}/my-registrations/", headers, json.dumps(body).encode(), expect=201)

        # Warm-up POSTs use their own customers too: every index is a new customer.
        counter = iter(range(10**9))
        posts = load(port, "API  registration POST (partner user, new customer each)", lambda i: register(next(counter)))
        results.append(posts)
    finally:
        _stop(server)
        purge_queue()
    errors = sum(r.errors for r in results)
    print(f"errors over the run: {errors}")

    if not os.environ.get("BENCH_LOAD_NO_RECORD"):
        record(version, table_sizes, ceiling, results, ratios, load_started)


def record(version, table_sizes, ceiling: Result, results: list[Result], ratios, load_started: float) -> None:
    def row(r: Result) -> str:
        return (
            f"| {r.name} | {r.rps:.0f} | {r.percentile(50):.1f} | {r.percentile(95):.1f} | {r.percentile(99):.1f} | "
            f"{r.requests:,} | {r.errors} |"
        )

    lines = [
        "",
        f"## API under load: gunicorn, PostgreSQL, 10 clients ({datetime.date.today().isoformat()}, `bench/api_load.py`)",
        "",
        (
            "One tenant: "
            + ", ".join(f"{name} {rows:,}" + (f" ({size})" if size else "") for name, (rows, size) in table_sizes.items())
            + f". gunicorn {WORKERS} {WORKER_CLASS} workers × {THREADS} threads, production settings (DEBUG off, persistent "
            "connections) as the app role under row-level security; 10 client threads with keep-alive connections on "
            f"loopback; per scenario at most {REQUESTS:,} requests or {SECONDS:.0f} s after {WARMUP} warm-up requests (API and "
            f"hand-written view in {ROUNDS} alternating rounds). "
            f"Rate limits raised for the bench (API_TENANT_RATE = API_CLIENT_RATE = {RATE}); mail to the dummy backend. "
            f"Machine: {machine(version)} (load average {load_started:.1f} when the load began; the client, gunicorn and "
            "PostgreSQL share the 2 cores)."
        ),
        "",
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | requests | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        row(ceiling),
        *(row(r) for r in results),
        "",
        "API / hand-written view (`values()` + `JsonResponse`, same authentication, scope and page), requests per second: "
        + "; ".join(f"{label} **{a.rps / r.rps:.2f}**" for label, a, r in ratios)
        + f". Errors over the run: {sum(r.errors for r in results)}.",
    ]
    append("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
