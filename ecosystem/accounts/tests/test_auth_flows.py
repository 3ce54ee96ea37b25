"""Sign-up, email verification, opening a program, two-factor setup for vendor staff, password reset
and login rate limits: the allauth flows as a person meets them, through the real URLs."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client

from ecosystem.accounts.models import Membership, Role, User
from ecosystem.audit.models import AuditEntry
from ecosystem.settings import base as base_settings
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant

from .steps import PASSWORD, confirm_email, is_signed_in, link_in_mail, mails_to, sign_in, sign_up

FACTORY_PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory


# --- sign-up and email verification ------------------------------------------------------------


@pytest.mark.django_db
def test_signing_up_sends_a_verification_email_and_does_not_sign_in(client):
    # When a new vendor signs up
    response = sign_up(client, "ada@vendor.example")

    # Then they are told to check their inbox, an email with a confirmation link is on its way,
    # and they are not signed in yet
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    [message] = mails_to("ada@vendor.example")
    assert link_in_mail(message, containing="/accounts/confirm-email/")
    assert not is_signed_in(client)
    user = User.objects.get(email="ada@vendor.example")
    assert not EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db
def test_signing_in_before_verifying_is_answered_with_verify_your_email(client):
    # Given someone who signed up but has not followed the confirmation link
    sign_up(client, "ada@vendor.example")
    browser = Client()

    # When they sign in with the right password from another browser
    response = sign_in(browser, "ada@vendor.example", follow=True)

    # Then they get allauth's "verify your email" page and no access
    assert response.redirect_chain[-1][0] == "/accounts/confirm-email/"
    assert "Verify Your Email Address" in response.content.decode()
    assert not is_signed_in(browser)
    assert browser.get("/start/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_opening_the_confirmation_link_only_asks_for_confirmation(client):
    # Given a new sign-up
    sign_up(client, "ada@vendor.example")
    path = link_in_mail(mails_to("ada@vendor.example")[0], containing="/accounts/confirm-email/")

    # When the link is merely opened (mail scanners do this)
    response = client.get(path)

    # Then a confirm button is shown and nothing is verified yet
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert not EmailAddress.objects.get(email="ada@vendor.example").verified


@pytest.mark.django_db
def test_confirming_the_email_verifies_it_and_signs_in_to_the_start_page(client):
    # Given a new sign-up
    sign_up(client, "ada@vendor.example")

    # When they confirm (the button on the link's page posts)
    response = confirm_email(client, "ada@vendor.example")

    # Then the address is verified, they are signed in, and, belonging to no program yet,
    # the home page offers to start one
    assert EmailAddress.objects.get(email="ada@vendor.example").verified
    assert is_signed_in(client)
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert "Start a partner program" in home.content.decode()


@pytest.mark.django_db
def test_a_new_vendor_signs_up_verifies_and_opens_a_program_as_its_owner(client):
    # Given a vendor who signed up, tried to sign in too early, then confirmed the address
    sign_up(client, "grace@vendor.example")
    assert not is_signed_in(client)
    early = sign_in(client, "grace@vendor.example", follow=True)
    assert "Verify Your Email Address" in early.content.decode()
    confirm_email(client, "grace@vendor.example")
    assert is_signed_in(client)

    # When they open their program
    response = client.post("/start/", {"name": "Grace Networks", "slug": "grace"})

    # Then the program exists, they own it, it was audited, and they land in its portal
    tenant = Tenant.objects.get(slug="grace")
    assert response.status_code == 302
    assert response["Location"] == "/t/grace/"
    with tenant_context(tenant.pk):
        membership = Membership.objects.get(user__email="grace@vendor.example")
        actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert (membership.role, membership.partner_id, membership.is_active) == (Role.OWNER, None, True)
    assert actions == ["membership.create", "tenant.create"]


def test_allauth_pages_keep_their_scripts_in_the_portal_layout(client, world):
    # allauth pages add their scripts in an extra_body block; the project layout must render it
    client.force_login(world.outsider)

    body = client.get("/accounts/email/").content.decode()

    assert 'src="/static/account/js/account.js"' in body
    assert 'id="mainnav"' in body  # and it is the portal's own layout


# --- two-factor authentication for vendor staff ------------------------------------------------


def _require_staff_mfa(tenant: Tenant) -> None:
    tenant.require_staff_mfa = True
    tenant.save(update_fields=["require_staff_mfa"])


def _open_authenticator_setup(client, password: str):
    """Adding an authenticator asks for the password again (allauth's reauthentication), then shows the secret."""
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    confirmed = client.post(asked["Location"], {"password": password})
    assert confirmed["Location"] == "/accounts/2fa/totp/activate/"
    return client.get("/accounts/2fa/totp/activate/")


def _current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now. Near the end of a period, wait for the next one, so
    the code is still current when the server checks it."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, world):
    # Given a program that requires two-factor authentication for vendor staff
    _require_staff_mfa(world.a.tenant)
    client.force_login(world.a.manager)

    # When a partner manager without an authenticator opens the vendor portal
    response = client.get("/t/alpha/partners/")

    # Then they are sent to the authenticator setup, and come back afterwards
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=/t/alpha/partners/"


def test_staff_who_activate_an_authenticator_get_into_the_portal(client, world):
    # Given a program that requires two-factor authentication, and an owner who signed in with a password
    _require_staff_mfa(world.a.tenant)
    assert sign_in(client, world.a.owner.email, FACTORY_PASSWORD).status_code == 302
    assert client.get("/t/alpha/").status_code == 302

    # When they confirm their password and activate an authenticator app with a code it computed
    setup = _open_authenticator_setup(client, FACTORY_PASSWORD)
    assert setup.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    activated = client.post("/accounts/2fa/totp/activate/", {"code": _current_totp_code(secret)})

    # Then the authenticator is stored and the portal opens
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=world.a.owner, type=Authenticator.Type.TOTP).exists()
    assert client.get("/t/alpha/").status_code == 200


def test_a_wrong_authenticator_code_activates_nothing(client, world):
    # Given an owner setting up an authenticator for a program that requires one
    _require_staff_mfa(world.a.tenant)
    sign_in(client, world.a.owner.email, FACTORY_PASSWORD)
    _open_authenticator_setup(client, FACTORY_PASSWORD)

    # When they type a wrong code
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000x"})

    # Then they are told so and still cannot open the portal
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=world.a.owner).exists()
    assert client.get("/t/alpha/").status_code == 302


def test_partner_users_are_not_asked_for_an_authenticator(client, world):
    # Given a program that requires two-factor authentication for its vendor staff
    _require_staff_mfa(world.a.tenant)
    client.force_login(world.a.partner1_admin)

    # When a partner admin without an authenticator opens the partner portal
    response = client.get("/p/alpha/")

    # Then it opens
    assert response.status_code == 200


def test_staff_need_no_authenticator_when_the_program_does_not_ask_for_one(client, world):
    # Given a program that leaves two-factor authentication optional
    assert world.a.tenant.require_staff_mfa is False
    client.force_login(world.a.analyst)

    # When an analyst without an authenticator opens the vendor portal
    response = client.get("/t/alpha/")

    # Then it opens
    assert response.status_code == 200


# --- password reset and login rate limits -------------------------------------------------------


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, world):
    # When someone asks for a password reset for an address with an account and for one without
    known = client.post("/accounts/password/reset/", {"email": world.a.owner.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody-here@example.com"})

    # Then both get the same answer, and each address gets one email (the owner a reset link)
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == "/accounts/password/reset/done/"
    [reset] = mails_to(world.a.owner.email)
    assert link_in_mail(reset, containing="/accounts/password/reset/key/")
    [notice] = mails_to("nobody-here@example.com")
    assert "/accounts/password/reset/key/" not in notice.body


def test_the_reset_done_page_does_not_say_whether_the_address_exists(client, world):
    # When the reset is requested for a known and for an unknown address, following the redirect
    known = client.post("/accounts/password/reset/", {"email": world.a.owner.email}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "nobody-here@example.com"}, follow=True)

    # Then the pages read the same (apart from the per-request CSRF token)
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf_tokens(known.content.decode()) == _without_csrf_tokens(unknown.content.decode())


def test_signing_up_with_an_existing_address_does_not_reveal_the_account(client, world):
    # Signing up again with a known address answers like a new sign-up (allauth mails the owner instead)
    known = sign_up(client, world.a.owner.email)
    new = sign_up(Client(), "brand-new@example.com")

    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert not is_signed_in(client)


def _without_csrf_tokens(html: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.fixture
def login_rate_limits(settings):
    """The limits the product ships with, back on. Each test below uses its own address and client IP,
    so counters left in Redis by other tests never count (and clearing the shared cache is not ours to do)."""
    settings.ACCOUNT_RATE_LIMITS = base_settings.ACCOUNT_RATE_LIMITS
    return settings


def test_too_many_failed_logins_get_a_clear_answer_even_with_the_right_password(client, world, login_rate_limits):
    # Given a person whose address was tried with wrong passwords five times (a fresh address: limits count per key)
    email = f"target-{uuid.uuid4().hex[:8]}@example.com"
    user = User.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    address = {"REMOTE_ADDR": f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}
    for _attempt in range(5):
        failed = sign_in(client, email, "wrong-password-123", **address)
        assert "The email address and/or password you specified are not correct." in failed.content.decode()

    # When the right password is tried next
    response = sign_in(client, email, PASSWORD, **address)

    # Then the answer says to wait, and nobody is signed in
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert not is_signed_in(client)


def test_failed_logins_below_the_limit_do_not_lock_the_person_out(client, world, login_rate_limits):
    # Given four failed attempts on a fresh address
    email = f"target-{uuid.uuid4().hex[:8]}@example.com"
    user = User.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    address = {"REMOTE_ADDR": f"10.8.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}
    for _attempt in range(4):
        sign_in(client, email, "wrong-password-123", **address)

    # When the right password is tried
    response = sign_in(client, email, PASSWORD, **address)

    # Then they are in
    assert response.status_code == 302
    assert is_signed_in(client)
