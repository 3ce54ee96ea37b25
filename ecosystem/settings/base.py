"""Settings shared by every environment. Everything that differs comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Strict booleans: a typo in an environment variable must not silently mean False."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _embedded_services() -> dict[str, str]:
    """Addresses of the embedded services that `python -m ecosystem.devstack up` wrote down."""
    path = BASE_DIR / ".local" / "services.env"
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


_EMBEDDED = _embedded_services()
DATABASE_URL = os.environ.get("DATABASE_URL") or _EMBEDDED.get("DATABASE_URL") or "postgres://postgres@localhost:5432/ecosystem"
REDIS_URL = os.environ.get("REDIS_URL") or _EMBEDDED.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-secret-key-not-for-production")
# Old keys while rotating (comma-separated): signatures and encrypted secrets made with them still read
# (docs/operator.md, "Webhook secrets and rotating SECRET_KEY").
SECRET_KEY_FALLBACKS = [key for key in os.environ.get("DJANGO_SECRET_KEY_FALLBACKS", "").split(",") if key]
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- Database: three roles on one database --------------------------------------------------
# DATABASE_URL names the server, the database and a user that may create roles and databases
# (the bootstrap user). The running application never connects as that user:
#   default  -> <prefix>_app       web and workers: not superuser, no BYPASSRLS, owns nothing
#   owner    -> <prefix>_owner     owns the schema; `migrate --database=owner` runs as it
#   platform -> <prefix>_platform  BYPASSRLS, used by Django admin only to look across tenants
DATABASE_BOOTSTRAP = dj_database_url.parse(DATABASE_URL)
DATABASE_ROLE_PREFIX = os.environ.get("DATABASE_ROLE_PREFIX", "prm")
DATABASE_ROLES = {
    alias: {
        "USER": f"{DATABASE_ROLE_PREFIX}_{role}",
        "PASSWORD": os.environ.get(f"DATABASE_{role.upper()}_PASSWORD", f"{DATABASE_ROLE_PREFIX}_{role}-dev"),
    }
    for alias, role in (("default", "app"), ("owner", "owner"), ("platform", "platform"))
}


def _database(alias: str) -> dict:
    config = {
        **DATABASE_BOOTSTRAP,
        **DATABASE_ROLES[alias],
        "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,  # tenant views open their own transaction, see tenancy.scope
        "TEST": {"NAME": f"test_{DATABASE_BOOTSTRAP['NAME']}"},
    }
    return config


DATABASES = {alias: _database(alias) for alias in ("default", "owner", "platform")}
# The roles, not a router, decide who may change the schema (only the owner may CREATE), and
# `manage.py migrate` defaults to the owner alias (ecosystem/tenancy/management/commands/migrate.py).
# The router only lets rows read through one alias relate to rows read through another.
DATABASE_ROUTERS = ["ecosystem.tenancy.routers.RolesOfOneDatabaseRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications -----------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ecosystem.tenancy",
    "ecosystem.accounts",
    "ecosystem.audit",
    "ecosystem.privacy",
    "ecosystem.jobs",
    "ecosystem.api",
    "ecosystem.webhooks",
    "ecosystem.portal",
    "partners",
    "onboarding",
    "deals",
    # ecosystem orchestration (issue 5): apps nested in the area they extend, each with its own migrations
    "partners.solutions",
    "partners.plans",
    "partners.directory",
    "deals.sla",
    "deals.mapping",
    "attribution",
    "scoring",
    # program economics (issue 8)
    "partners.mdf",
    "partners.surveys",
    "partners.scorecard",
    "attribution.economics",
    "attribution.insights",
    "attribution.incentives",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ecosystem.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "ecosystem.urls"
WSGI_APPLICATION = "ecosystem.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ecosystem.portal.context_processors.portal",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Internationalisation: every user-facing string is marked; English ships -------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files: vendored, served by WhiteNoise, no CDN and no build step ---------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".local" / "media"

# --- Cache and Celery on Redis --------------------------------------------------------------------
# Django's Redis backend, reusing one redis-py client per pool rather than building one per call (ecosystem/redis_cache.py)
CACHES = {"default": {"BACKEND": "ecosystem.redis_cache.RedisCache", "LOCATION": REDIS_URL}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None  # job state lives in the jobs table, not in Redis
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_DEFAULT_QUEUE", "default")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # privacy: engagement events older than each tenant's retention setting are deleted nightly
    "engagement-retention-all-tenants": {
        "task": "ecosystem.privacy.tasks.engagement_retention_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    "tier-evaluation-all-tenants": {
        "task": "partners.tasks.tier_evaluate_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    "assurance-all-tenants": {
        "task": "onboarding.tasks.assurance_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    "onboarding-reminders-all-tenants": {
        "task": "onboarding.tasks.onboarding_reminders_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    "certification-renewal-reminders-all-tenants": {
        "task": "onboarding.training_tasks.certification_renewal_reminders_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    "idempotency-keys-purge-all-tenants": {
        "task": "ecosystem.api.tasks.idempotency_keys_purge_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    "upload-orphans-all-tenants": {
        "task": "ecosystem.upload_tasks.upload_orphans_sweep_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    # webhooks: due deliveries (retries, expired leases of killed workers) sent again, every minute
    "webhook-sweep-all-tenants": {"task": "ecosystem.webhooks.tasks.webhook_sweep_all_tenants", "schedule": 60},
    "dashboard-metrics-all-tenants": {
        "task": "ecosystem.portal.tasks.dashboard_metrics_refresh_all_tenants",
        "schedule": 15 * 60,
    },
    # deal registrations: approvals whose protection ended expire; reminders before they do
    "deal-protection-expiry-all-tenants": {
        "task": "deals.tasks.protection_expiry_sweep_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    # leads: offers past their answer-by time go to the next partner
    "lead-expire-all-tenants": {
        "task": "deals.lead_tasks.lead_expire_all_tenants",
        "schedule": 15 * 60,
    },
    # SLAs: email the owing side once per item when less than a quarter of the target is left
    "sla-breach-warnings-all-tenants": {
        "task": "deals.sla.tasks.sla_breach_warnings_all_tenants",
        "schedule": 15 * 60,
    },
    # account mapping: re-match every active pair nightly (lists synced by API change during the day)
    "account-mapping-all-tenants": {
        "task": "deals.mapping.tasks.account_mapping_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    # attribution: a trailing-year run by partner with every model, nightly
    "attribution-nightly-all-tenants": {
        "task": "attribution.tasks.attribution_nightly_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    # scoring: every partner's health score, nightly (events refresh one partner within a minute)
    "health-scores-nightly-all-tenants": {
        "task": "scoring.tasks.health_scores_nightly_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    # scoring: churn risk of every partner daily (alerts raised), the churn model retrained weekly
    "churn-predict-all-tenants": {
        "task": "scoring.tasks.churn_predict_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    "churn-retrain-all-tenants": {
        "task": "scoring.tasks.churn_retrain_all_tenants",
        "schedule": 7 * 24 * 60 * 60,
    },
    # partner surveys: the ones opening today announced to the partners' people, daily
    "surveys-open-today-all-tenants": {
        "task": "partners.surveys.tasks.surveys_open_today_all_tenants",
        "schedule": 24 * 60 * 60,
    },
    # scoring: the ideal partner profile retrained and every applicant and prospect scored, weekly
    "fit-weekly-all-tenants": {
        "task": "scoring.fit_tasks.fit_weekly_all_tenants",
        "schedule": 7 * 24 * 60 * 60,
    },
    # economics: the weekly program summary email to each program's owners and partner managers, Mondays 07:00
    "weekly-summary-all-tenants": {
        "task": "attribution.economics.tasks.weekly_summary_all_tenants",
        "schedule": crontab(minute=0, hour=7, day_of_week=1),
    },
    # incentives: in a quarter's first days, the previous quarter's rebate accruals of every active program
    "rebate-accruals-period-end-all-tenants": {
        "task": "attribution.incentives.tasks.accruals_period_end_all_tenants",
        "schedule": 24 * 60 * 60,
    },
}

# --- Accounts: django-allauth -------------------------------------------------------------------
SITE_NAME = os.environ.get("SITE_NAME", "Partner Ecosystem")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")  # absolute links in emails
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"  # the home view sends people to their program (or lets them pick one)
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Reverse proxies in front of the app (load balancer, ingress): how many append to X-Forwarded-For.
# 0 (the default) ignores that header, which the client could otherwise forge. See ecosystem/client_ip.py.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "ecosystem.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@partners.localhost")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ecosystem.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ecosystem.api.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "ecosystem.api.filters.ListFilterBackend",  # django-filter's; no filter set built when none is named
        "ecosystem.api.filters.StrictOrderingFilter",  # an unknown ?ordering= answers 400
    ],
    "DEFAULT_SCHEMA_CLASS": "ecosystem.api.schema.AutoSchema",  # drf-spectacular's, describing blank output fields as sent
    "EXCEPTION_HANDLER": "ecosystem.api.errors.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # 0: the peer address; never the header as sent
    "DEFAULT_THROTTLE_CLASSES": [
        "ecosystem.api.throttling.TenantRateThrottle",
        "ecosystem.api.throttling.ClientRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "tenant": os.environ.get("API_TENANT_RATE", "3000/min"),
        "client": os.environ.get("API_CLIENT_RATE", "600/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner Ecosystem API",
    "DESCRIPTION": "Tenant-scoped REST API. Authenticate with an API key (`Authorization: Bearer prm_…`) "
    "or a portal session. Every error answers `{type, code, detail, attr}`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1/t/\{tenant_slug\}",  # tags by resource (partners, jobs), not "t"
    # the default enum hook, the error answers, then an example for every body and success answer that has none
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ecosystem.api.schema.document_error_responses",  # 400/401/403/404/409/415/429 with the error envelope
        "ecosystem.api.schema_examples.add_examples",
    ],
    "ENUM_NAME_OVERRIDES": {
        "FigureSourceEnum": "attribution.economics.models.RevenueSource",  # customer revenue and usage figures
        "RebateProgramStatusEnum": "attribution.incentives.models.ProgramStatus",
        "RebateStatementStatusEnum": "attribution.incentives.models.StatementStatus",
        "PartnerStatusEnum": "partners.models.PartnerStatus",
        "PartnerTypeEnum": "partners.models.PartnerType",  # a partner's type and a content item's audience
        "JobStatusEnum": "ecosystem.jobs.models.JobStatus",
        "StepStatusEnum": "onboarding.models.StepStatus",  # a step in the staff and the partner views of a plan
        "StepKindEnum": "onboarding.models.StepKind",
        "PlanStatusEnum": "onboarding.models.PlanStatus",
        # deal registrations (vendor side and partner side share these choice sets)
        "RegistrationStatusEnum": "deals.models.RegistrationStatus",
        "DealStageEnum": "deals.models.DealStage",
        "AppealStatusEnum": "deals.models.AppealStatus",
        "ExtensionStatusEnum": "deals.models.ExtensionStatus",
        "DecisionActionEnum": "deals.models.DecisionAction",
        "LeadStatusEnum": "deals.models.LeadStatus",  # leads: a lead's status, staff and partner views
        "LeadOfferStatusEnum": "deals.models.OfferStatus",
        "RegionEnum": "partners.models.Region",  # a lead's region, in filters and bodies
        "ImportKindEnum": "deals.models.ImportKind",  # CRM imports: what a file holds (upload, import, answer)
        "ContactRoleEnum": "partners.models.ContactRole",  # a partner contact's role (not a membership's)
        "ContentKindEnum": "partners.models.ContentKind",  # a library item: a file or a link (content/, my-content/)
        "MembershipRoleEnum": "ecosystem.accounts.models.Role",  # a member's or an invitation's role (members/, invitations/)
        "InterventionOutcomeEnum": "scoring.models.InterventionOutcome",  # churn interventions and their outcome/
    },
}

# --- Security defaults that hold in every environment -------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the cookie-less meta tag instead
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from this site, or inline with the response's nonce
# (``request.csp_nonce``); no inline handlers, no eval. Templates use data attributes and static/js/portal.js.
# Style attributes stay allowed (Bootstrap markup, Chart.js); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, "'unsafe-inline'"],
        "img-src": [csp.SELF, "data:", "blob:"],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
