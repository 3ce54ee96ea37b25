"""Website domains, normalised so that one company is one domain however it was typed."""

from __future__ import annotations

import re
import urllib.parse

from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(raw: str, *, field: str = "website_domain") -> str:
    """``"https://WWW.Acme.example/about"`` -> ``"acme.example"``; Unicode names become punycode.

    Raises :class:`ApplicationError` (code ``invalid_domain``) for anything that is not a host name.
    Empty input stays empty: the domain is optional.
    """
    value = (raw or "").strip().lower()
    if not value:
        return ""
    if "://" not in value:
        value = "//" + value
    host = urllib.parse.urlsplit(value).hostname or ""
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ApplicationError(_("Enter a website domain such as example.com."), code="invalid_domain", field=field) from None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ApplicationError(_("Enter a website domain such as example.com."), code="invalid_domain", field=field)
    return host
