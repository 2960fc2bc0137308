"""Settings come from the environment; production refuses to start half-configured."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

# Variables of the developer's or CI's shell that would change what is being checked.
_CONFIG = (
    "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL", "DATABASE_NAME", "REDIS_URL",
    "DATABASE_PLATFORM_URL", "DATABASE_PLATFORM_ROLE", "DATABASE_APP_ROLE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DJANGO_SETTINGS_MODULE",
)  # fmt: skip


def _manage(*args: str, settings_module: str = "collab.settings.production", **env: str):
    environment = {key: value for key, value in os.environ.items() if key not in _CONFIG}
    environment.update({"DJANGO_SETTINGS_MODULE": settings_module, **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_env(**overrides: str) -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "collab.example.com", **overrides}


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_pass_the_deploy_check_on_postgres_and_redis():
    env = _production_env(
        DATABASE_URL="postgres://collab_app:secret@db.internal:5432/collab",
        DATABASE_PLATFORM_URL="postgres://collab_platform:secret2@db.internal:5432/collab",
        REDIS_URL="redis://redis.internal:6379/0",
    )
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_on_postgres_refuses_to_start_without_the_platform_login():
    """The app role cannot assume the platform role, so without its own login nobody could pick a tenant."""
    env = _production_env(DATABASE_URL="postgres://collab_app:secret@db.internal:5432/collab")
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "DATABASE_PLATFORM_URL" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="collab.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", SECRET_KEY="short", ALLOWED_HOSTS="collab.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def _settings_seen(expression: str, **env: str) -> str:
    """What `expression` (over `s`, the settings) prints in a fresh process with this environment."""
    environment = {key: value for key, value in os.environ.items() if key not in _CONFIG}
    environment.update({"DJANGO_SETTINGS_MODULE": "collab.settings.base", **env})
    code = f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=BASE_DIR, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "sqlite3 True memory:// LocMemCache"),
        (
            {"DATABASE_URL": "postgres://u:p@h:5432/collab", "REDIS_URL": "redis://r:6379/3"},
            "postgresql False redis://r:6379/3 RedisCache",
        ),
    ],
    ids=["embedded-default", "postgres-and-redis"],
)
def test_the_environment_chooses_database_broker_and_cache(env, expected):
    seen = _settings_seen(
        "s.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]",
        **env,
    )
    assert seen == expected


def test_database_name_points_a_process_at_another_database():
    env = {"DATABASE_URL": "postgres://u:p@h:5432/collab", "DATABASE_NAME": "test_collab_gw1"}
    assert _settings_seen("s.DATABASES['default']['NAME']", **env) == "test_collab_gw1"


def test_the_app_role_is_configurable():
    assert _settings_seen("s.DATABASE_APP_ROLE") == "collab_app"
    assert _settings_seen("s.DATABASE_APP_ROLE", DATABASE_APP_ROLE="web_rw") == "web_rw"


def test_the_platform_connection_is_configured_beside_the_default():
    seen = "s.DATABASES['platform'].get('USER'), s.DATABASES['platform']['NAME'], " \
        "s.DATABASES['platform']['OPTIONS'].get('assume_role'), s.DATABASES['platform']['TEST']['MIRROR']"
    # Development: the default's login, assuming the platform role (a superuser or owner may).
    env = {"DATABASE_URL": "postgres://owner:p@h:5432/collab", "DATABASE_NAME": "test_collab_gw1"}
    assert _settings_seen(seen, **env) == "owner test_collab_gw1 collab_platform default"
    # Production: a login of its own; DATABASE_NAME (the worker tests) applies to it too.
    env["DATABASE_PLATFORM_URL"] = "postgres://plat:p2@h:5432/collab"
    env["DATABASE_PLATFORM_ROLE"] = "plat"
    assert _settings_seen(seen, **env) == "plat test_collab_gw1 plat default"
    # SQLite: the same file, and the router never uses it.
    assert _settings_seen("s.DATABASES['platform']['NAME'] == s.DATABASES['default']['NAME']") == "True"
