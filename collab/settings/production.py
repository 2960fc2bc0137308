"""Production: everything secret or host-specific must come from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from collab.settings.base import *  # noqa: F403
from collab.settings.base import DATABASES, env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this deployment answers.")

# On PostgreSQL the app connects as DATABASE_APP_ROLE, which cannot assume the platform role: without a
# login of its own for `all_tenants()` (the tenant picker, accepting an invitation) nobody could sign in.
if DATABASES["default"]["ENGINE"].endswith("postgresql") and not os.environ.get("DATABASE_PLATFORM_URL"):
    raise ImproperlyConfigured(
        "DATABASE_PLATFORM_URL must be set on PostgreSQL: the login of DATABASE_PLATFORM_ROLE "
        "(collab_platform), which all_tenants() reads through."
    )

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
