"""Production: refuses to boot without its secrets, secure cookies, HTTPS assumed."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASE_ROLE_PREFIX, env_bool


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
_required("DATABASE_URL")
_required("REDIS_URL")
for _role in ("app", "owner", "platform"):
    if not os.environ.get(f"DATABASE_{_role.upper()}_PASSWORD"):
        raise ImproperlyConfigured(
            f"DATABASE_{_role.upper()}_PASSWORD must be set in production ({DATABASE_ROLE_PREFIX}_{_role})"
        )
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Secure cookies unless explicitly running over plain HTTP (docker compose on localhost).
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
# Every subdomain HTTPS-only too, and eligible for the browsers' preload list (turn off only for a domain
# with plain-HTTP subdomains: `check --deploy` then warns).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATABASES = {alias: {**config, "CONN_MAX_AGE": 60} for alias, config in DATABASES.items()}  # noqa: F405
# WhiteNoise serves the collected, hashed and compressed static files straight from the web process.
MIDDLEWARE = [*MIDDLEWARE[:1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
