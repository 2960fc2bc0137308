"""Pages of a large tenant under load: gunicorn, production settings, the application role under RLS,
8 connections, against a one-query reference page measured in the same run.

Builds (or with --reuse keeps and reuses) a `seed_scale` tenant in a PostgreSQL database of its own
(`<DATABASE_URL's name>_bench_pages_<employees>`, never the dev database): `migrate` and `seed_scale` run as
the database owner (DATABASE_URL's login), then `VACUUM ANALYZE`. It serves that database with gunicorn
(`--workers`, default 2) under `collab.settings.production`, logging in as production does: as the application
role (`collab_bench_app`, LOGIN, not superuser, no BYPASSRLS: row-level security binds it) through
DATABASE_URL, and as the platform role (`collab_bench_platform`) through DATABASE_PLATFORM_URL; both roles are
created if missing, like docs/deploy/initdb does (a cluster's shared `collab_app` keeps NOLOGIN). The static
files are collected once into the database's folder under the system temp directory.

It signs in the HR admin (`scale-hr`) and the manager (`scale-manager`, head of a subsidiary) through the
login form and, for each of them, drives `--connections` concurrent connections (threads, `http.client`) at
each page for `--seconds`: the collaboration view, the goal tree, the ranking, the unit dashboard, the scores
list, the scores API, and the reference — the periods API (one query for its rows, plus what every request
pays: session, user, membership), driven before the first page, between every two pages and after the last.
It prints each page's requests/s, p50 / p95, mean size and the ratio of its requests/s to the mean of the two
reference slices beside it (same user, same run: a shared machine's load drifts); targets: ≥ 50 % of the
reference, p95 < 300 ms. A response other than 200 (or none) fails the run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/collab python -m bench pages [--employees 100000]
        [--units N] [--seconds 15] [--connections 8] [--workers 2] [--port 8019] [--reuse]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SLUG = "scale"
PASSWORD = "collab-demo-2025"  # noqa: S105 - collab.demo.plans.DEMO_PASSWORD (not imported: no Django in this process)
APP_ROLE, PLATFORM_ROLE = "collab_bench_app", "collab_bench_platform"
TARGET_RATIO, TARGET_P95 = 0.5, 0.300
REFERENCE = "reference: periods API"
PAGES: dict[str, str] = {
    "collaboration view": "/t/{slug}/dashboards/collaboration/",
    "goal tree": "/t/{slug}/goals/tree/",
    "ranking": "/t/{slug}/dashboards/ranking/",
    "unit dashboard": "/t/{slug}/dashboards/unit/",
    "scores list": "/t/{slug}/interlock/scores/",
    "scores API": "/api/v1/t/{slug}/scores/",
    REFERENCE: "/api/v1/t/{slug}/periods/",
}
DEFAULTS = {"employees": 100_000, "seconds": 15.0, "connections": 8, "workers": 2, "port": 8019}


# ------------------------------------------------------------------------------------------ the client


class Session:
    """One signed-in user: cookies kept by hand (production marks them Secure; this client talks plain
    HTTP to gunicorn on the loopback, as a TLS proxy would)."""

    def __init__(self, base_url: str) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=600)

    def request(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """One request on `conn` with the session's cookies; cookies the answer sets are kept."""
        sent = {"Host": f"{self.host}:{self.port}", "Accept-Language": "zh-hans", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()  # the server closed an idle connection: reconnect once
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
        data = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        if (response.getheader("Connection") or "").lower() == "close":
            conn.close()  # gunicorn's sync workers close after each response
        return response.status, data

    def login(self, username: str, password: str = PASSWORD) -> None:
        conn = self.connection()
        try:
            status, body = self.request(conn, "GET", "/accounts/login/")
            match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
            if status != 200 or match is None:
                raise RuntimeError(f"login page answered {status}")
            form = urllib.parse.urlencode(
                {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
            )
            status, _body = self.request(
                conn,
                "POST",
                "/accounts/login/",
                body=form,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://{self.host}:{self.port}/accounts/login/",
                },
            )
            if status != 302 or "sessionid" not in self.cookies:
                raise RuntimeError(f"signing in as {username} failed ({status})")
        finally:
            conn.close()


@dataclass
class Measurement:
    page: str
    user: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def drive(
    session: Session, path: str, *, connections: int, seconds: float, page: str = "", user: str = ""
) -> Measurement:
    """`connections` threads, each with its own connection, requesting `path` until `seconds` have passed
    (a request under way is awaited and counted); the rate is completed requests over the wall time."""
    lock = threading.Lock()
    result = Measurement(page=page, user=user, seconds=0.0)
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        conn = session.connection()
        try:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    status, body = session.request(conn, "GET", path)
                except (OSError, http.client.HTTPException):
                    status, body = 0, b""  # no answer (timed out, connection refused): counted as status 0
                    conn.close()
                took = time.perf_counter() - began
                with lock:
                    if status == 200:
                        result.latencies.append(took)
                        result.sizes.append(len(body))
                    else:
                        result.errors[status] = result.errors.get(status, 0) + 1
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def measure(
    base_url: str,
    users: list[str],
    *,
    slug: str = SLUG,
    connections: int,
    seconds: float,
    pages: dict[str, str] | None = None,
    say: Callable[[str], None] = print,
) -> list[Measurement]:
    """Sign each user in, warm every page once, then drive the reference and the pages in turn — the reference
    before the first page, between every two pages and after the last — so each page is compared with the
    reference measured right before and right after it (a shared machine's load drifts over a run)."""
    pages = pages or PAGES
    names = [name for name in pages if name != REFERENCE]
    results = []
    for username in users:
        session = Session(base_url)
        session.login(username)
        for name in [REFERENCE, *names]:
            conn = session.connection()
            status, _body = session.request(conn, "GET", pages[name].format(slug=slug))  # warm-up
            conn.close()
            if status != 200:
                say(f"  {username} {name}: warm-up answered {status}")
        order = [REFERENCE]
        for name in names:
            order += [name, REFERENCE]
        for name in order:
            path = pages[name].format(slug=slug)
            result = drive(session, path, connections=connections, seconds=seconds, page=name, user=username)
            results.append(result)
            say(f"  {_row(result, None)}")
    return results


def _row(result: Measurement, reference: float | None) -> str:
    size = statistics.fmean(result.sizes) / 1024 if result.sizes else 0.0
    text = (
        f"{result.user:<14} {result.page:<24} {result.rate:7.1f} req/s"
        f"  p50 {result.percentile(0.5) * 1000:7.0f} ms"
        f"  p95 {result.percentile(0.95) * 1000:7.0f} ms  {len(result.latencies):5d} req  {size:7.1f} kB"
    )
    if reference:
        ratio = result.rate / reference
        met = ratio >= TARGET_RATIO and result.percentile(0.95) < TARGET_P95
        text += f"  {ratio:6.1%} of reference  {'met' if met else 'NOT met'}"
    if result.errors:
        text += f"  errors {result.errors}"
    return text


def _neighbour_reference(results: list[Measurement], index: int) -> float | None:
    """The mean rate of the reference slices right before and right after `results[index]` (same user)."""
    user, rates = results[index].user, []
    for step in (-1, 1):
        at = index + step
        while 0 <= at < len(results) and results[at].user == user:
            if results[at].page == REFERENCE:
                rates.append(results[at].rate)
                break
            at += step
    return statistics.fmean(rates) if rates else None


def report(results: list[Measurement], say: Callable[[str], None] = print) -> int:
    """A row a user's reference (all its slices together, with the range of their rates) and a row a page,
    its ratio to the neighbouring reference slices; 1 when any response was not 200."""
    say(f"target: ≥ {TARGET_RATIO:.0%} of the reference's requests/s and p95 < {TARGET_P95 * 1000:.0f} ms")
    for user in dict.fromkeys(r.user for r in results):
        slices = [r for r in results if r.user == user and r.page == REFERENCE]
        if slices:
            merged = Measurement(page=REFERENCE, user=user, seconds=sum(r.seconds for r in slices))
            for part in slices:
                merged.latencies += part.latencies
                merged.sizes += part.sizes
                for status, count in part.errors.items():
                    merged.errors[status] = merged.errors.get(status, 0) + count
            rates = [r.rate for r in slices]
            say(f"{_row(merged, None)}  ({len(slices)} slices: {min(rates):.1f} to {max(rates):.1f} req/s)")
        for index, result in enumerate(results):
            if result.user == user and result.page != REFERENCE:
                say(_row(result, _neighbour_reference(results, index)))
    return 1 if any(r.errors for r in results) else 0


# -------------------------------------------------------------------------------- database and server


def _owner_url(name: str) -> str:
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(url._replace(path=f"/{name}"))


def _role_url(role: str, name: str) -> str:
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    netloc = f"{role}@{url.hostname}" + (f":{url.port}" if url.port else "")
    return urllib.parse.urlunsplit(url._replace(netloc=netloc, path=f"/{name}"))


def _psql(sql: str, database: str = "postgres", *, fetch: bool = False):
    import psycopg2

    connection = psycopg2.connect(_owner_url(database))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if fetch else None
    finally:
        connection.close()


def _environment(name: str, static_root: Path, **extra: str) -> dict[str, str]:
    """The subprocesses' environment: ours without OPENBLAS_CORETYPE (numpy picks its own kernels, as in
    production) or DATABASE_NAME, pointed at the benchmark's database and roles."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_NAME", "OPENBLAS_CORETYPE")}
    environment.update(
        DATABASE_URL=_owner_url(name),
        DATABASE_APP_ROLE=APP_ROLE,
        DATABASE_PLATFORM_ROLE=PLATFORM_ROLE,
        STATIC_ROOT=str(static_root),
    )
    environment.update(extra)
    return environment


def _manage(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(name: str, *, employees: int, units: int | None, reuse: bool, say: Callable[[str], None]) -> Path:
    """The database with its seed_scale tenant (built unless --reuse finds it); the collected static files."""
    for role, inherit in ((APP_ROLE, "INHERIT"), (PLATFORM_ROLE, "NOINHERIT")):
        if not _psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'", fetch=True):
            _psql(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS {inherit}")
    static_root = Path(tempfile.gettempdir()) / f"{name}_static"
    exists = bool(_psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'", fetch=True))
    seeded = (
        exists
        and reuse
        and bool(_psql(f"SELECT 1 FROM collab_tenant WHERE slug = '{SLUG}'", name, fetch=True))
    )
    environment = _environment(name, static_root, DJANGO_SETTINGS_MODULE="collab.settings.base")
    if seeded:
        _manage(environment, "migrate", "--no-input", "-v", "0")  # the code may have moved on since
        say(f"reusing database {name} (its {SLUG!r} tenant; migrated)")
    else:
        if exists:
            _psql(f'DROP DATABASE "{name}"')
        _psql(f'CREATE DATABASE "{name}"')
        began = time.perf_counter()
        _manage(environment, "migrate", "--no-input", "-v", "0")
        say(f"migrated {name} in {time.perf_counter() - began:.0f} s")
        began = time.perf_counter()
        arguments = ["seed_scale", "--employees", str(employees), "--slug", SLUG]
        arguments += ["--units", str(units)] if units else []
        out = _manage(environment, *arguments)
        built, steps = (out.strip().splitlines() + [""])[:2]
        say(f"{built} (wall {time.perf_counter() - began:.0f} s; {steps})")
        _psql("VACUUM ANALYZE", name)  # planner statistics and visibility map, as autovacuum would leave them
    # Every run: a reused folder must follow the code's static files (collectstatic copies only what changed).
    _manage(_production_environment(name, static_root), "collectstatic", "--no-input", "-v", "0")
    return static_root


def _production_environment(name: str, static_root: Path, *, cold: bool = False) -> dict[str, str]:
    """collab.settings.production, logging in as the application role and the platform role; `cold`: no page
    body is cached (`collab.page_cache`), every request renders."""
    extra = {"PAGE_CACHE_SECONDS": "0"} if cold else {}
    return _environment(
        name,
        static_root,
        DJANGO_SETTINGS_MODULE="collab.settings.production",
        DATABASE_URL=_role_url(APP_ROLE, name),
        DATABASE_PLATFORM_URL=_role_url(PLATFORM_ROLE, name),
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="ERROR",
        **extra,
    )


def serve(name: str, static_root: Path, *, port: int, workers: int, cold: bool = False) -> subprocess.Popen:
    """gunicorn as production runs it (settings, roles), logging in as the application role."""
    environment = _production_environment(name, static_root, cold=cold)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "collab.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--timeout=600",  # the slowest pages of a large tenant must finish, not be killed
    ]
    log = Path(tempfile.gettempdir()) / f"{name}_gunicorn.log"
    with log.open("w") as sink:  # a file, not a pipe nobody reads while the load runs
        process = subprocess.Popen(command, cwd=BASE_DIR, env=environment, stdout=sink, stderr=sink)  # noqa: S603
    deadline, status = time.monotonic() + 60, None
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return process
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.terminate()
            raise RuntimeError(f"gunicorn did not answer 200 within 60 s (last: {status}); see {log}")
        time.sleep(0.5)


def _role_check(name: str) -> str:
    rows = _psql(
        f"SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = '{APP_ROLE}'", name, fetch=True
    )
    superuser, bypass = rows[0]
    if superuser or bypass:
        raise RuntimeError(f"{APP_ROLE} is a superuser or bypasses RLS: not as production")
    return (
        f"as: {APP_ROLE} (LOGIN, not superuser, no BYPASSRLS: row-level security binds it), "
        f"platform reads as {PLATFORM_ROLE}; data built as the owner"
    )


def run(
    *,
    employees: int,
    units: int | None,
    seconds: float,
    connections: int,
    workers: int,
    port: int,
    reuse: bool,
    cold: bool = False,
    out=sys.stdout,
) -> int:
    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        say("skipped: bench pages needs PostgreSQL (DATABASE_URL=postgres://…, the owner's login)")
        return 0  # `python -m bench` runs every benchmark; on SQLite this one has nothing to say
    base = urllib.parse.urlsplit(url).path.lstrip("/") or "collab"
    name = f"{base}_bench_pages_{employees}"
    static_root = prepare(name, employees=employees, units=units, reuse=reuse, say=say)
    say(_role_check(name))
    process = serve(name, static_root, port=port, workers=workers, cold=cold)
    try:
        cache = "Redis (REDIS_URL)" if os.environ.get("REDIS_URL") else "each worker's memory"
        bodies = f"page bodies cached in {cache}"
        if cold:
            bodies = "cold: no page body cached, every request renders"
        say(
            f"gunicorn, {workers} workers, collab.settings.production; "
            f"{connections} connections, {seconds:g} s a page and user; {bodies}"
        )
        results = measure(
            f"http://127.0.0.1:{port}",
            [f"{SLUG}-hr", f"{SLUG}-manager"],
            connections=connections,
            seconds=seconds,
            say=lambda _t: None,
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
        if not reuse:
            _psql(f'DROP DATABASE IF EXISTS "{name}"')
    return report(results, say)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=DEFAULTS["employees"])
    parser.add_argument("--units", type=int, default=None, help="default: a tenth of --employees")
    parser.add_argument(
        "--seconds", type=float, default=DEFAULTS["seconds"], help="load time a page and user"
    )
    parser.add_argument("--connections", type=int, default=DEFAULTS["connections"])
    parser.add_argument("--workers", type=int, default=DEFAULTS["workers"])
    parser.add_argument("--port", type=int, default=DEFAULTS["port"])
    parser.add_argument("--reuse", action="store_true", help="keep the database and reuse it next time")
    parser.add_argument("--cold", action="store_true", help="cache no page body: every request renders")
    options = parser.parse_args(argv)
    return run(**vars(options))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
