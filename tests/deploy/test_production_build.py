"""The Dockerfile's production build, without Docker: what `docs/deploy/Dockerfile` and docker-compose.yml
do to the checkout, run here on the host with `collab.settings.production`.

1. `collectstatic` (the image's build step) into a temporary folder, with a throw-away key and host;
2. `check --deploy --fail-level WARNING` with the production environment;
3. the compose `web` command (gunicorn, `collab.wsgi`) on a free port, answering the login page with 200 and
   every static file that page links to resolvable through WhiteNoise under its hashed (manifest) name,
   including the source maps the vendored files point to.

The vendored front-end files come from `npm run vendor` (`make setup`; CI runs it again right before this
test, as the Dockerfile's assets stage does). Slow (~20 s): CI runs it in its own stage
(`-m production_build`).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.production_build

BASE_DIR = Path(settings.BASE_DIR)
HOST = "collab.example.com"
# Variables of the developer's or CI's shell that would change what is being built.
_CONFIG = (
    "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL", "DATABASE_NAME", "REDIS_URL", "STATIC_ROOT",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DJANGO_SETTINGS_MODULE", "CSRF_TRUSTED_ORIGINS",
)  # fmt: skip
HASHED = re.compile(r"\.[0-9a-f]{12}\.(?:css|js|map|woff2?|svg|ico|png)$")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _get(url: str, *, https: bool = True) -> tuple[int, dict, bytes]:
    headers = {"Host": HOST}
    if https:  # as the TLS-terminating proxy in front of `web` says
        headers["X-Forwarded-Proto"] = "https"
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a local http URL
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("production")
    environment = {key: value for key, value in os.environ.items() if key not in _CONFIG}
    environment.update(
        DJANGO_SETTINGS_MODULE="collab.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=HOST,
        STATIC_ROOT=str(folder / "staticfiles"),
        # The login page reads no table; an empty SQLite file keeps the build free of any server.
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
    )
    return environment


def _manage(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


@pytest.fixture(scope="module")
def collected(production_env) -> Path:
    result = _manage(production_env, "collectstatic", "--no-input", "--verbosity", "0")
    assert result.returncode == 0, f"collectstatic failed:\n{result.stdout}\n{result.stderr[-3000:]}"
    root = Path(production_env["STATIC_ROOT"])
    assert (root / "staticfiles.json").is_file()
    return root


@pytest.fixture(scope="module")
def web(production_env, collected):
    """The compose `web` command, one worker, on a free local port; stopped at the end of the module."""
    port = _free_port()
    command = [
        sys.executable, "-m", "gunicorn", "collab.wsgi:application", f"--bind=127.0.0.1:{port}",
        "--workers=1", "--forwarded-allow-ips=*", "--access-logfile=-",
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603
        command, cwd=BASE_DIR, env=production_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{process.stdout.read()[-3000:]}")
            try:
                _get(f"{base}/accounts/login/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer within 45 s")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_collectstatic_with_production_settings_writes_the_manifest(collected):
    """Issue 8 item 4: it failed with MissingFileError (vendor/bootstrap/bootstrap.bundle.min.js.map): the
    vendor step copied files whose sourceMappingURL named maps it did not copy."""
    vendor = collected / "vendor" / "bootstrap"
    assert any(HASHED.search(p.name) for p in vendor.glob("bootstrap.bundle.min.*.js"))
    assert any(HASHED.search(p.name) for p in vendor.glob("bootstrap.bundle.min.js.*.map"))


def test_the_deploy_check_passes_with_the_production_environment(production_env):
    result = _manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_serves_the_login_page_with_its_static_files(web):
    status, headers, body = _get(f"{web}/accounts/login/")
    assert status == 200, body[:2000]
    assert "max-age" in headers.get("Strict-Transport-Security", "")
    page = body.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any("bootstrap.min" in a for a in assets) and any("bootstrap.bundle.min" in a for a in assets)
    for asset in assets:
        assert HASHED.search(asset), f"{asset} is not a manifest (hashed) name"
        status, headers, content = _get(f"{web}{asset}")
        assert status == 200, asset
        assert "immutable" in headers.get("Cache-Control", ""), asset  # a hashed name never changes
        # What a vendored file points to (its source map) is served too, under its hashed name.
        for reference in re.findall(rb"sourceMappingURL=([^\s*]+)", content):
            target = f"{asset.rsplit('/', 1)[0]}/{reference.decode()}"
            assert _get(f"{web}{target}")[0] == 200, target


def test_plain_http_is_redirected_to_https(web):
    status, headers, _ = _get(f"{web}/accounts/login/", https=False)
    assert status == 301 and headers["Location"].startswith(f"https://{HOST}/")
