"""The deployment files agree with the settings. No Docker engine runs here, so docker-compose.yml is
checked as data: the services exist, each connects as the right database role, and no secret is in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE = BASE_DIR / "docker-compose.yml"
DEPLOY = BASE_DIR / "docs" / "deploy"
VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _env(service: dict) -> dict:
    return service.get("environment", {})


def test_compose_has_every_service(compose):
    assert set(compose["services"]) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert compose["services"]["db"]["image"] == "postgres:15"
    assert compose["services"]["redis"]["image"].startswith("redis:")


def test_migrate_runs_as_the_owner_and_the_app_as_its_role(compose):
    services = compose["services"]
    assert "migrate" in " ".join(services["migrate"]["command"])
    assert "${POSTGRES_USER" in _env(services["migrate"])["DATABASE_URL"]
    for name in ("web", "worker", "beat"):
        env = _env(services[name])
        assert env["DATABASE_URL"].startswith("postgres://${DATABASE_APP_USER"), name
        assert env["DATABASE_APP_ROLE"] == "${DATABASE_APP_USER:-collab_app}", name
        assert env["DJANGO_SETTINGS_MODULE"] == "collab.settings.production", name
        assert env["REDIS_URL"].startswith("redis://redis:"), name
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("migrate", "web", "worker", "beat"):  # production settings refuse PostgreSQL without it
        env = _env(services[name])
        assert env["DATABASE_PLATFORM_URL"].startswith("postgres://${DATABASE_PLATFORM_USER"), name
        assert env["DATABASE_PLATFORM_ROLE"] == "${DATABASE_PLATFORM_USER:-collab_platform}", name


def test_processes_are_what_they_say(compose):
    services = compose["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "collab.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "collab", "worker"]
    beat = " ".join(services["beat"]["command"])
    assert "beat" in beat and "django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_no_secret_is_committed(compose):
    text = COMPOSE.read_text()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "DATABASE_APP_PASSWORD", "DATABASE_PLATFORM_PASSWORD"):
        assert f"${{{name}:?" in text, f"{name} must be required from .env, without a default"
    # Every password in a URL is a variable.
    for url in re.findall(r"postgres://[^\s\"']+", text):
        assert re.match(r"postgres://\$\{[A-Z_]+[^}]*\}:\$\{[A-Z_]+", url), url


def test_the_env_example_documents_every_variable():
    used = set(VARIABLE.findall(COMPOSE.read_text()))
    documented = {
        line.split("=", 1)[0]
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    optional = {"COLLAB_IMAGE"}
    assert used - documented - optional == set()


def test_the_files_compose_refers_to_exist(compose):
    build = compose["x-app"]["build"]
    assert (BASE_DIR / build["context"] / build["dockerfile"]).is_file()
    assert (DEPLOY / "initdb" / "10-app-role.sh").is_file()
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile and "collectstatic" in dockerfile
