"""Settings for every environment; everything that differs comes from environment variables.

Defaults are the embedded set-up a newcomer gets: SQLite, eager tasks, local-memory cache.
`DATABASE_URL` switches to PostgreSQL, `REDIS_URL` to a real Celery broker and a Redis cache.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp import constants as csp
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A development-only key, used only when nothing is configured; production.py refuses to start without one.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-not-for-production")  # noqa: S105
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "template_partials",
    "simple_history",
    "django_celery_beat",
    "axes",
    "csp",
    "collab",
    "goals",
    "responsibility",
    "interlock",
    "feedback",
    "appraisal",
    "alerts",
    "ecosystem",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "collab.middleware.TenantMiddleware",
    "collab.middleware.UserLanguageMiddleware",
    "collab.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    "collab.middleware.DatabaseConflictMiddleware",
]

ROOT_URLCONF = "collab.urls"
WSGI_APPLICATION = "collab.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "collab.context_processors.tenant_context",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
# Points one process at another database of the same server: the test suite hands a real Celery
# worker pytest-django's test database this way.
if os.environ.get("DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["DATABASE_NAME"]
# The role web and worker processes connect as on PostgreSQL: it owns no table, gets DML grants
# after every migrate, and is held by row-level security (collab/rls/).
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "collab_app")
# The role `all_tenants()` reads through (collab/rls/): its policy admits every tenant's rows, and the
# app role is not a member of it, so no query on the app's connection can switch it on. ORM queries
# inside `all_tenants()` go to the "platform" alias (collab/db_router.py), a second connection that logs
# in with DATABASE_PLATFORM_URL (production), or else with the default's credentials and `SET ROLE`
# (development, where the migrating superuser may assume any role). SQLite: the alias is the same file
# and the router never uses it.
DATABASE_PLATFORM_ROLE = os.environ.get("DATABASE_PLATFORM_ROLE", "collab_platform")
DATABASES["platform"] = (
    dj_database_url.parse(
        os.environ["DATABASE_PLATFORM_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    )
    if os.environ.get("DATABASE_PLATFORM_URL")
    else {**DATABASES["default"], "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {}))}
)
if os.environ.get("DATABASE_NAME"):
    DATABASES["platform"]["NAME"] = os.environ["DATABASE_NAME"]
if DATABASES["platform"]["ENGINE"].endswith("postgresql"):
    DATABASES["platform"].setdefault("OPTIONS", {})["assume_role"] = DATABASE_PLATFORM_ROLE
# Tests: the same test database as "default" (never created or migrated on its own).
DATABASES["platform"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["collab.db_router.PlatformRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "post-login"
LOGOUT_REDIRECT_URL = "login"

# Self-service password reset (collab/views/passwords.py): requests per e-mail address and per client
# address within a window of seconds; past either, the form answers 429 and sends nothing.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "3"))
PASSWORD_RESET_LIMIT_PER_IP = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_IP", "10"))
PASSWORD_RESET_LIMIT_WINDOW = int(os.environ.get("PASSWORD_RESET_LIMIT_WINDOW", "3600"))

# Lockout after repeated failures, per user name and address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Pages get the locked-out page, the API a JSON answer (collab/views/accounts.py).
AXES_LOCKOUT_CALLABLE = "collab.views.accounts.locked_out_response"
# The client address the lockout and the password-reset limit count by (collab.ratelimit.client_address):
# X-Forwarded-For is believed only from the proxies named here; by default none, so REMOTE_ADDR.
AXES_CLIENT_IP_CALLABLE = "collab.ratelimit.client_address"
COLLAB_TRUSTED_PROXY_COUNT = max(0, int(os.environ.get("TRUSTED_PROXY_COUNT", "0") or 0))
COLLAB_TRUSTED_PROXIES = [ipaddress.ip_network(item, strict=False) for item in env_list("TRUSTED_PROXIES")]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "collab" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic writes and WhiteNoise serves from; the production-build test points it at a temp folder.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a rendered page body is kept (`collab.page_cache`); 0 renders every request (`bench pages --cold`).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))

# Without a broker, tasks run in-process so the embedded default needs nothing else.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "collab")
# Redis has no real acknowledgements: Kombu keeps a delivered message in its "unacked" set and gives it back
# to the queue only when a live worker's periodic sweep (about every 100 s) finds it older than the
# visibility timeout. A pool child that dies is handled at once (reject_on_worker_lost requeues it); a dead
# *main* process acks nothing and rejects nothing, so its message waits for this timeout. 15 minutes, not
# Kombu's 1 hour: longer than any countdown we use (retry backoff ≤ 300 s, during which the message stays
# unacked) so a waiting retry is not delivered twice; short enough that a lost message comes back the same
# quarter hour even without beat. Jobs do not wait for it: their heartbeat stops and the beat task
# `collab.requeue_stale_jobs` requeues them within about COLLAB_JOB_STALE_SECONDS + a minute; a message
# restored later finds its job finished or held (`collab.jobs.job_claim`) and does nothing.
COLLAB_BROKER_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": COLLAB_BROKER_VISIBILITY_TIMEOUT}
# A running job's heartbeat period, and how long without one makes it stale (collab/jobs.py).
COLLAB_JOB_HEARTBEAT_SECONDS = float(os.environ.get("COLLAB_JOB_HEARTBEAT_SECONDS", "10"))
COLLAB_JOB_STALE_SECONDS = float(os.environ.get("COLLAB_JOB_STALE_SECONDS", "60"))
COLLAB_JOB_STALE_QUEUED_SECONDS = float(os.environ.get("COLLAB_JOB_STALE_QUEUED_SECONDS", "600"))
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "collab@localhost")
# Where links in e-mails point (invitations, notifications): the public address of the site.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "collab.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "collab.routing.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "collab.routing.schema.CollabAutoSchema",
    "EXCEPTION_HANDLER": "collab.routing.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API speaks JSON both ways (DESIGN.md §9); another body type answers 415.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Collab API",
    "DESCRIPTION": (
        "Cross-department performance collaboration. Tenant resources live under /api/v1/t/<slug>/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components: what a write takes (e.g. a matrix's `rows`, the
    # `lock_version` it must send) is never marked read-only, and what only a response shows is not
    # offered as input.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models call their choices `Status`: name the scorecard's (a dotted path, not an import).
    "ENUM_NAME_OVERRIDES": {
        "ScorecardStatusEnum": "interlock.models.Scorecard.Status",
        "LineRoleEnum": "interlock.models.LineRole",
        "MatrixRoleEnum": "responsibility.models.MatrixRole",
        "OrgUnitKindEnum": "collab.models.OrgUnit.Kind",
        "PeriodKindEnum": "collab.models.Period.Kind",
        "ReviewKindEnum": "feedback.models.ReviewKind",
        "FrequencyEnum": "goals.models.KPI.Frequency",
        "ReviewFrequencyEnum": "feedback.models.Frequency",
        "ReviewCampaignStatusEnum": "feedback.models.CampaignStatus",
        "RaterAssignmentStatusEnum": "feedback.models.AssignmentStatus",
        "RaterRoleEnum": "feedback.models.RaterRole",
        "PointProposalStatusEnum": "feedback.models.ProposalStatus",
        "ProposerRoleEnum": "feedback.models.ProposerRole",
        "EventKindEnum": "feedback.models.EventKind",
        "EventSourceEnum": "feedback.models.EventSource",
        # appraisal (goals-checkins)
        "GoalProposalKindEnum": "appraisal.models.ProposalKind",
        # alerts
        "EventLogStatusEnum": "alerts.models.EventLogStatus",
        "GoalProposalStatusEnum": "appraisal.models.ProposalStatus",
        # appraisal (calibration-release)
        "CalibrationStatusEnum": "appraisal.models.CalibrationStatus",
        "AppealStatusEnum": "appraisal.models.AppealStatus",
        # alerts
        "ProcessKindEnum": "alerts.models.ProcessKind",
        "AlertStatusEnum": "alerts.models.AlertStatus",
        "AlertEventKindEnum": "alerts.models.AlertEventKind",
        "AlertRuleKindEnum": "alerts.models.RuleKind",
        "AlertRuleStateEnum": "alerts.models.RuleStatus",
        "EvaluationOutcomeEnum": "alerts.models.Outcome",
        "SilenceScopeEnum": "alerts.models.SilenceScope",
        "DirectionEnum": "goals.models.KPI.Direction",
        "ProcessKpiDirectionEnum": "alerts.models.KpiDirection",
        "ProcessKpiGranularityEnum": "alerts.models.Granularity",
        "ProcessKpiPointSourceEnum": "alerts.models.PointSource",
        "ProcessKpiVerdictStatusEnum": "alerts.engine.anomaly.STATUS_NAMES",
        "ProcessKpiHealthEnum": "alerts.api.kpis.HEALTH",
        # the business calendar
        "CalendarDayKindEnum": "collab.models.CalendarDayKind",
        "CalendarBaseEnum": "collab.models.CalendarBase",
    },
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Scripts only from our own static files: no inline script, no on* attribute, no eval (htmx's allowEval is
# off in base.html; every page script is a module under static/js/). Styles keep 'unsafe-inline': templates
# carry style attributes and ECharts writes styled tooltip HTML; a stray style cannot run code.
# data: images are Bootstrap's inline SVG icons (select arrows, toggler). The Swagger page at /api/v1/docs/
# is drf-spectacular's own, with an inline start-up script and a CDN bundle, so it goes without the header.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs/"],
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
