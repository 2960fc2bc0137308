"""The probing of `tests/robustness/test_no_server_errors*.py`: the world, the prober, the form parser and the
request builders (the tests are split over modules so that pytest-xdist spreads them over its workers).

Never a 500 on bad input, across every page and every API route (discovered, never listed).

Routes come from the isolation framework (`tests/isolation/framework.py`); tenant A's world is built by
the same `samples_*.py` modules, so the ids in URLs are A's own and the views reach their real code.
Tenant B's world is built too: its ids are the "another tenant's foreign key" of the hostile bodies.

An HR admin of A holding every role sends, on every route:
- pages: GETs whose query string fills every known parameter (a generic set, the page's GET-form fields
  and the names its module reads from `request.GET`) with one hostile value at a time; POSTs of every
  field of the forms that post to the page (parsed from the HTML of every page) filled with one hostile
  value at a time, an empty POST, garbage uploads in file fields, and another tenant's id in each select;
- API: list GETs with hostile query params; create / update / partial update / every action with hostile
  JSON (NUL bytes, huge numbers, wrong types, nested lists and objects, null, a non-JSON body, an array
  where an object goes), both flat and in the shape of the resource's own representation.

Every request runs in a savepoint that is rolled back, so each one sees the same world. Checked: no status
≥ 500 (and no exception), API errors are JSON, and a page POST that answered with errors wrote nothing.
When an all-fields request fails, each field is retried alone so the report names the culprit.
"""

from __future__ import annotations

import inspect
import json
import re
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from collab.models import ALL_ROLES
from tests.factories import make_member
from tests.isolation.framework import (
    api_lookup,
    fingerprint_changes,
    load_samples,
    page_routes,
    tenant_fingerprint,
)

SAMPLES = load_samples()

HUGE = "99999999999999999999"
LONG = "x" * 10_000
# Query-string parameters most list pages read, tried on every page beside the page's own.
GENERIC_PARAMS = (
    "page", "q", "search", "period", "kpi", "unit", "org_unit", "status", "kind", "role", "from", "to",
    "sort", "order", "format", "export", "part", "view", "parent", "perspective", "flag", "page_size",
    "limit", "offset", "ordering", "cursor", "next",
)  # fmt: skip
QUERY_VALUES = (
    "-1", "abc", HUGE, "\x00", "1\x00", "²", "1.5", "2026-13-45", LONG, "9" * 5000, ["1", "2"],
)  # fmt: skip
FORM_VALUES = (
    "\x00", "1\x00", HUGE, "-" + HUGE, "-1", LONG, "9" * 5000, "abc", "NaN", "1e400", "²", "2026-13-45",
    ["1", "2"],
)  # fmt: skip
# One field at a time, the rest as the page filled them in.
# (Parsing faults such as '²' show with every field hostile; these need the other fields to pass first.)
ONE_FIELD_VALUES = ("1\x00", HUGE)
GARBAGE_FILES = (
    ("garbage.xlsx", b"PK\x03\x04\x00\x00garbage that is not a zip"),
    ("nul.csv", b"code,name\n\x00,\x00\n"),
    ("latin1.csv", b"code,name\n\xff\xfe\xe9,\xe9\n"),
    ("empty.csv", b""),
)
# JSON values for any field: NUL bytes, huge and negative numbers, strings for numbers, numbers for
# strings, nested lists and objects where scalars go, null, booleans, a 10,000-character string.
JSON_VALUES = (
    "\x00", "1\x00", 10**20, -(10**20), -1, "abc", HUGE, "²", 12345, 1.5, True, None, [], [1, 2],
    {"a": 1}, [{"a": None}], LONG, "", "9" * 5000, "NaN", "-0", "2026-13-45",
)  # fmt: skip
INFINITY = "__1e999__"  # replaced by the literal 1e999 in the JSON text: Python parses it as inf
ERROR_MARKERS = ("is-invalid", "invalid-feedback", "errorlist", "alert-danger")


# --------------------------------------------------------------------------------------- HTML forms
@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)

    def defaults(self) -> dict:
        return {name: f.value for name, f in self.fields.items() if f.kind != "file"}

    def names(self, *, files: bool) -> list[str]:
        return [name for name, f in self.fields.items() if (f.kind == "file") == files]


class FormParser(HTMLParser):
    """Every <form> of a page with its fields' names and default values; htmx posts (`hx-post` on a form,
    or on an element that includes a form with `hx-include`) count as forms posting to their URL."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None
        self._by_id: dict[str, Form] = {}
        self._htmx: list[tuple[str, str, Form | None, str]] = []  # (url, hx-include, enclosing form, hx-vals)

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(attributes.get("method", "get").lower(), attributes.get("action", ""))
            self.forms.append(self._form)
            if attributes.get("id"):
                self._by_id[attributes["id"]] = self._form
            if attributes.get("hx-post"):
                self._htmx.append((attributes["hx-post"], "this", self._form, attributes.get("hx-vals", "")))
            return
        if attributes.get("hx-post"):
            include = attributes.get("hx-include", "")
            self._htmx.append((attributes["hx-post"], include, self._form, attributes.get("hx-vals", "")))
        if self._form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in attributes and name in self._form.fields:
                return
            value = attributes.get("value", "on" if kind in {"checkbox", "radio"} else "")
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                value = ""
            self._form.fields.setdefault(name, FormField(name, kind, value))
        elif tag == "button" and name:
            self._form.fields.setdefault(name, FormField(name, "button", attributes.get("value", "")))
        elif tag == "select" and name:
            self._select = self._form.fields.setdefault(name, FormField(name, "select"))
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            self._select.options.append(value)
            if "selected" in attributes or len(self._select.options) == 1:
                self._select.value = value
        elif tag == "textarea" and name:
            self._textarea = self._form.fields.setdefault(name, FormField(name, "textarea"))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


    def close(self):
        super().close()
        for url, include, enclosing, vals in self._htmx:
            included = self._by_id.get(include.lstrip("#"))
            source = enclosing if include in {"this", "closest form"} else included
            form = Form("post", url, dict(source.fields) if source is not None else {})
            try:
                extra = json.loads(vals) if vals else {}
            except ValueError:
                extra = {}
            for name, value in (extra.items() if isinstance(extra, dict) else ()):
                form.fields.setdefault(name, FormField(name, "hidden", str(value)))
            self.forms.append(form)


def parse_forms(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


# --------------------------------------------------------------------------------------------- world
def build_world(tenant_a, tenant_b) -> dict:
    """Tenant A's world (an HR admin holding every role, the samples, a page client and an API client) and
    tenant B's samples (the foreign ids of the hostile bodies)."""
    admin = make_member(tenant_a, *sorted(ALL_ROLES), username="fuzz_admin_a")
    make_member(tenant_b, *sorted(ALL_ROLES), username="fuzz_owner_b")
    objects = SAMPLES.build(tenant_a)
    foreign = SAMPLES.build(tenant_b)
    pages = Client(raise_request_exception=False)
    pages.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    token, _ = Token.objects.get_or_create(user=admin)
    api = APIClient()
    api.raise_request_exception = False
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return {"a": tenant_a, "objects": objects, "foreign": foreign, "pages": pages, "api": api}


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str
    redirect: bool
    changes: list[str]
    crash: str | None  # the last traceback line of an exception the view raised
    allow: str = ""  # the Allow header of a 405


class Prober:
    """Sends requests in rolled-back savepoints and collects what breaks the standard."""

    def __init__(self, tenant):
        self.tenant = tenant
        self.baseline = tenant_fingerprint(tenant)
        self.failures: list[str] = []
        self.sent = 0

    def send(self, client, method: str, url: str, *, watch: bool = False, **kwargs) -> Answer:
        """One request; `watch` fingerprints tenant A before the rollback (for answers with errors)."""
        self.sent += 1
        answer = None
        try:
            with transaction.atomic():
                response = getattr(client, method.lower())(url, **kwargs)
                body = getattr(response, "content", b"") if not getattr(response, "streaming", False) else b""
                crash = None
                if getattr(response, "exc_info", None):
                    crash = _crash_line(response.exc_info)
                changes = []
                if watch and response.status_code < 500 and crash is None and _shows_errors(response, body):
                    try:
                        with transaction.atomic():
                            changes = fingerprint_changes(self.baseline, tenant_fingerprint(self.tenant))
                    except DatabaseError as error:
                        changes = [f"the transaction was left broken ({type(error).__name__})"]
                answer = Answer(
                    response.status_code, body, response.get("Content-Type", ""),
                    response.status_code in {301, 302, 303}, changes, crash, response.get("Allow", ""),
                )  # fmt: skip
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - reported as the route's failure
            answer = Answer(0, b"", "", False, [], _crash_line((type(error), error, error.__traceback__)))
        return answer

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def report(self, what: str) -> None:
        assert self.sent, f"no requests were sent for {what}"
        unique = list(dict.fromkeys(self.failures))
        assert not unique, f"{len(unique)} failure(s) for {what}:\n  " + "\n  ".join(unique)


def _shows_errors(response, body: bytes) -> bool:
    """A refusal: a 400, or a 200 page showing field errors (a redirect is a success)."""
    return response.status_code == 400 or (
        response.status_code == 200 and any(marker.encode() in body for marker in ERROR_MARKERS)
    )


def _crash_line(exc_info) -> str:
    kind, error, tb = exc_info
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/site-packages/" not in f.filename] or frames
    where = f"{ours[-1].filename.split('/work/main/')[-1]}:{ours[-1].lineno}" if ours else "?"
    return f"{kind.__name__}: {str(error)[:160]} at {where}"


def _server_error(answer: Answer) -> bool:
    return answer.crash is not None or answer.status >= 500 or answer.status == 0


def _describe(answer: Answer) -> str:
    return answer.crash or f"status {answer.status}"


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:30] + f"…({len(str(value))} chars)"


# --------------------------------------------------------------------------------------------- pages
_PARAM_READ = re.compile(r"""(?:GET|query_params)\b[^"'\n]{0,24}["']([A-Za-z_][\w-]*)["']""")


def _module_params(view) -> set[str]:
    """Query-string names the view's module reads: `request.GET.get("q")`, `_id_param(request.GET, "x")`."""
    target = inspect.unwrap(getattr(view, "cls", view))
    try:
        source = inspect.getsource(inspect.getmodule(target))
    except (OSError, TypeError):
        return set()
    return set(_PARAM_READ.findall(source))


def _page_url(route, slug: str, objects: dict) -> str:
    if not route.params:
        return route.url(slug, {})
    function = SAMPLES.route_kwargs.get(route.name)
    return route.url(slug, function(objects) if function else route.placeholder_kwargs())


def _path_of(action: str, page_url: str) -> str:
    return urlsplit(action).path or page_url if action else page_url


def _named_routes():
    return [route for route in page_routes() if route.name]


def _first_choice(f: FormField) -> str:
    return next((option for option in f.options if option), f.value) if f.kind == "select" else f.value


def _collect_forms(prober: Prober, client, urls: dict[str, str]) -> tuple[dict[str, list[Form]], dict]:
    """GET every page once, and once more through each of its GET forms (filled with the first real choice
    of each select, so a page that shows its editor only for a chosen KPI/period shows it): the forms
    posting to each URL path, and the GET-form fields of each page."""
    posting: dict[str, list[Form]] = {}
    filters: dict[str, set[str]] = {}

    def visit(name: str, url: str, data: dict | None, follow: bool) -> None:
        answer = prober.send(client, "GET", url, data=data)
        if _server_error(answer):
            prober.fail(f"GET {url} {data or ''} [{name}] → {_describe(answer)}")
            return
        if answer.status != 200 or "html" not in answer.content_type:
            return
        for form in parse_forms(answer.body.decode("utf-8", "replace")):
            if form.method == "post":
                forms = posting.setdefault(_path_of(form.action, url), [])
                if all(set(other.fields) != set(form.fields) for other in forms):
                    forms.append(form)
                continue
            filters.setdefault(name, set()).update(form.fields)
            if follow and form.fields:
                chosen = {key: _first_choice(f) for key, f in form.fields.items()}
                visit(name, _path_of(form.action, url), chosen, follow=False)

    for name, url in urls.items():
        visit(name, url, None, follow=True)
    return posting, filters


def probe_query_strings(prober: Prober, client, url: str, label: str, names: set[str], own: set[str], *,
                        api: bool) -> None:  # fmt: skip
    """Every name = one hostile value per request. When that answer is not a 200 (a parameter refused early
    may hide the others), each of the route's own names is sent alone too; a 5xx names its culprits."""
    groups = [sorted(names - {"format"}), ["format"]] if api else [sorted(names)]  # DRF reads ?format=
    for value in QUERY_VALUES:
        for group in groups:
            answer = prober.send(client, "GET", url, data={name: value for name in group})
            if api and not _server_error(answer) and not _json_error(answer):
                prober.fail(f"GET {url} [{label}] ?…={_shown(value)} answered {answer.status} as "
                            f"{answer.content_type!r}, not JSON")  # fmt: skip
            if answer.status == 200 and len(group) > 1:
                continue
            alone = (group if _server_error(answer) else sorted(own & set(group))) if len(group) > 1 else []
            culprits = [
                f"?{name}={_shown(value)} → {_describe(retry)}"
                for name in alone
                if _server_error(retry := prober.send(client, "GET", url, data={name: value}))
            ]
            if culprits or _server_error(answer):
                detail = "; ".join(culprits) or f"?{','.join(group)}={_shown(value)} → {_describe(answer)}"
                prober.fail(f"GET {url} [{label}] {detail}")


def _post_bodies(form: Form, foreign_ids: dict[str, int]):
    """(label, data, retry-per-field names) for the hostile POSTs of one form."""
    text_names, file_names = form.names(files=False), form.names(files=True)
    for index, value in enumerate(FORM_VALUES):
        data = {name: value for name in text_names}
        name, content = GARBAGE_FILES[index % len(GARBAGE_FILES)]
        for file_field in file_names:
            data[file_field] = SimpleUploadedFile(name, content)
        yield f"every field = {_shown(value)}", data, value
    for text_field in (name for name in text_names if name != "csrfmiddlewaretoken"):  # the others as shown
        for value in ONE_FIELD_VALUES:
            data = {**form.defaults(), text_field: value}
            yield f"{text_field} = {_shown(value)} (others as shown)", data, None
    for file_field in file_names:
        for name, content in GARBAGE_FILES:
            upload = SimpleUploadedFile(name, content)
            yield f"{file_field} = file {name}", {**form.defaults(), file_field: upload}, None
    for select, foreign_id in foreign_ids.items():
        data = {**form.defaults(), select: str(foreign_id)}
        yield f"{select} = another tenant's id {foreign_id}", data, None


def _foreign_ids(form: Form, objects: dict, foreign: dict) -> dict[str, int]:
    """For each select listing one of A's sample objects, the id of B's object of the same sample."""
    found = {}
    for name, f in form.fields.items():
        if f.kind != "select":
            continue
        options = set(f.options)
        for key, obj in objects.items():
            other = foreign.get(key)
            if other is None or type(other) is not type(obj) or str(obj.pk) not in options:
                continue
            if str(other.pk) not in options:
                found[name] = other.pk
                break
    return found


def _check_post(prober: Prober, client, url: str, name: str, data: dict, label: str) -> Answer | None:
    answer = prober.send(client, "POST", url, data=data, watch=True)
    if _server_error(answer):
        prober.fail(f"POST {url} [{name}] {label} → {_describe(answer)}")
        return answer
    if answer.changes:  # only looked for when the answer shows errors
        prober.fail(f"POST {url} [{name}] {label} answered {answer.status} with errors but wrote: "
                    + "; ".join(answer.changes))  # fmt: skip
    return None


# ----------------------------------------------------------------------------------------------- API
def _json_error(answer: Answer) -> bool:
    return answer.status < 400 or answer.content_type.startswith("application/json")


def _template(prober: Prober, client, route, url_list: str, url_detail: str | None) -> dict:
    """The resource's own representation (a detail, or the first row of its list): the shape to attack."""
    for url in (url_detail, url_list):
        if url is None:
            continue
        answer = prober.send(client, "GET", url)
        if answer.status != 200:
            continue
        try:
            data = json.loads(answer.body)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"][0] if data["results"] else {}
        elif isinstance(data, list):
            data = data[0] if data else {}
        if isinstance(data, dict) and data:
            return data
    return {}


def _shaped(template, value):
    """The template with every scalar replaced by `value` (lists keep one element, objects their keys)."""
    if isinstance(template, dict):
        return {key: _shaped(item, value) for key, item in template.items()}
    if isinstance(template, list):
        return [_shaped(template[0], value)] if template else [value]
    return value


def _json_bodies(template: dict):
    """(label, raw JSON text) of the hostile bodies for one write route."""
    keys = sorted(template) or ["id", "name", "code", "period", "kpi", "value", "rows", "lines"]
    for value in JSON_VALUES:
        yield f"every field = {_shown(value)}", json.dumps({key: value for key in keys})
    for value in ("\x00", 10**20, "abc", "²", "9" * 5000, 12345, None, {"a": 1}):
        yield f"shaped, every scalar = {_shown(value)}", json.dumps(_shaped(template, value))
    yield "every field = 1e999", json.dumps({key: INFINITY for key in keys}).replace(f'"{INFINITY}"', "1e999")
    yield "a non-JSON body", "{not json"
    yield "an array where an object goes", json.dumps([template or {"a": 1}])
    yield "a bare string", json.dumps("\x00")
    yield "null", "null"
    yield "an empty body", ""
    for key in keys:
        for value in (10**20, "\x00", {"a": None}):  # ('²' and lists: every field at once, above)
            yield f"own representation with {key} = {_shown(value)}", json.dumps({**template, key: value})


def _api_url(route, slug: str, objects: dict):
    key = SAMPLES.api_detail.get(route.basename)
    if not route.detail:
        return route.url(slug)
    lookup = api_lookup(route, objects[key]) if key in objects else 999999999
    return route.url(slug, lookup)


