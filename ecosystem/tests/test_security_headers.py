"""The browser-facing security headers: a Content-Security-Policy that lets no inline script run, no
framing, no sniffing, a same-origin referrer; and templates that need no inline script or handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def test_a_portal_page_allows_scripts_from_the_site_only(client, world):
    client.force_login(world.a.manager)
    response = client.get(reverse("partners:list", kwargs={"tenant_slug": world.a.tenant.slug}))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_api_docs_load_their_script_from_a_file(client, world):
    client.force_login(world.a.manager)
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html), "an inline script on the API docs page"
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


INLINE_SCRIPT = re.compile(r'<script(?![^>]*\b(?:src=|nonce=|type="application/json"))[^>]*>', re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)=", re.IGNORECASE)


def test_the_template_check_finds_what_it_looks_for():
    found = [
        bool(INLINE_SCRIPT.search(t))
        for t in (
            "<script>",
            '<script type="module">',
            '<script src="a.js">',
            '<script nonce="{{ n }}">',
            '<script type="application/json">',
        )
    ]
    assert found == [True, True, False, False, False]
    assert INLINE_HANDLER.search('<form onsubmit="x">') and INLINE_HANDLER.search('<div hx-on::before-swap="x">')
    assert not INLINE_HANDLER.search('<div data-confirm="x" hx-post="/a">')


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_an_inline_script_or_handler(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), f"{path}: inline <script> (move it to static/, or give it nonce)"
    assert not INLINE_HANDLER.search(text), f"{path}: inline event handler (use a data attribute and static/js/portal.js)"


def test_production_settings_pass_the_deploy_check_without_a_warning():
    """``manage.py check --deploy --fail-level WARNING`` with the production settings: HSTS (subdomains,
    preload), secure cookies, SSL redirect, a real secret key; and the OpenAPI document without a warning."""
    import os
    import secrets
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ecosystem.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "prm.example.com",
        "DATABASE_URL": "postgres://prm@127.0.0.1:1/prm",  # never reached: the checks need no database
        "REDIS_URL": "redis://127.0.0.1:1/0",
        **{f"DATABASE_{role}_PASSWORD": secrets.token_urlsafe(16) for role in ("APP", "OWNER", "PLATFORM")},
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
