"""What a person does in the browser, as small steps the account tests share."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

PASSWORD = "correct-horse-battery-staple"

_LINK = re.compile(r"https?://[^/\s]+(/\S+)")


def link_in_mail(message, *, containing: str) -> str:
    """The path of the first link in ``message`` whose path contains ``containing``."""
    paths = [path for path in _LINK.findall(message.body) if containing in path]
    assert paths, f"no link containing {containing!r} in: {message.body}"
    return paths[0]


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def sign_up(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password})


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def confirm_email(client: Client, email: str):
    """Follow the newest confirmation link sent to ``email``, as the button on its page does (POST)."""
    confirmation = [message for message in mails_to(email) if "/accounts/confirm-email/" in message.body][-1]
    return client.post(link_in_mail(confirmation, containing="/accounts/confirm-email/"))


def sign_up_and_verify(client: Client, email: str, password: str = PASSWORD):
    """A new person signs up and confirms their address in the same browser; they end up signed in."""
    sign_up(client, email, password)
    return confirm_email(client, email)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session
