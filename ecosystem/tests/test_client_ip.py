"""The client's address behind reverse proxies: trusted hops only, never what the client writes itself."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from ecosystem.client_ip import client_ip


def request_from(peer: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_proxies_a_forged_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (1, "198.51.100.20", "198.51.100.20"),
        # The client wrote 6.6.6.6 itself; the one proxy appended the address it saw.
        (1, "6.6.6.6, 198.51.100.20", "198.51.100.20"),
        (2, "6.6.6.6, 198.51.100.20, 10.0.0.5", "198.51.100.20"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_proxies_the_client_is_the_entry_that_many_hops_from_the_right(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops

    assert client_ip(request_from("10.0.0.2", forwarded)) == expected


def test_a_request_that_skipped_a_proxy_keeps_the_peer_address(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(request_from("10.0.0.2", "198.51.100.20")) == "10.0.0.2"


def test_garbage_is_no_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from("10.0.0.2", "not-an-ip")) is None
