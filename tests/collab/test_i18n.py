"""Simplified Chinese is complete: every message translated and compiled, pages follow the user's language.

The catalogue checks read `collab/locale/zh_Hans/LC_MESSAGES/django.po` with a small parser (no extra
dependency) and compare it with the committed `.mo`, so a forgotten `compilemessages` fails here.
When GNU gettext is
installed, the sources are scanned again (in a copy of the project, so the tree is never touched) to find
strings added since the catalogue was last translated.
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from collab.services.accounts.preferences import user_language_set
from tests.factories import TenantFactory, make_member

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "collab" / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo"
# The same command as `make messages`.
MAKEMESSAGES_IGNORE = [".venv", "node_modules", "static/vendor", "staticfiles", "bench"]
pytestmark = pytest.mark.django_db
PLACEHOLDER = re.compile(r"%\([A-Za-z_0-9]+\)[sdif]|%[sdif]|\{[A-Za-z_0-9]*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (obsolete `#~` entries and the header left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish():
        if current is not None and (current.msgid or current.msgctxt is not None):
            entries.append(current)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            current, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match[1]))
            elif keyword in ("msgid", "msgid_plural", "msgctxt", "msgstr"):
                target = (keyword, None)
            else:
                raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
            if target[0] == "msgstr":
                current.msgstr.setdefault(target[1] or 0, "")
            elif target[0] == "msgctxt":
                current.msgctxt = ""
            elif target[0] == "msgid_plural":
                current.msgid_plural = ""
        name, index = target
        if name == "msgstr":
            current.msgstr[index or 0] += value
        else:
            setattr(current, name, getattr(current, name) + value)
    finish()
    return entries


def untranslated(entries: list[Entry]) -> list[str]:
    problems = []
    for entry in entries:
        label = f"line {entry.line}: {entry.msgid[:70]!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy {label}")
        elif not entry.msgstr.get(0, "").strip():
            problems.append(f"untranslated {label}")
    return problems


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO.exists(), "run `make messages`: the Chinese catalogue is missing"
    return parse_po(PO)


def test_header_declares_chinese_without_plural_forms(catalogue):
    text = PO.read_text(encoding="utf-8")
    header = text[text.index('msgid ""') : text.index("\n\n", text.index('msgid ""'))]
    assert '"Language: zh_Hans\\n"' in header
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    assert "#, fuzzy" not in text[: text.index('msgid ""')], "a fuzzy header makes msgfmt ignore the charset"
    assert len(catalogue) > 1000


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    problems = untranslated(catalogue)
    assert not problems, f"{len(problems)} entries need a translation:\n" + "\n".join(problems[:40])


def test_plural_entries_have_the_single_chinese_form(catalogue):
    plurals = [entry for entry in catalogue if entry.msgid_plural is not None]
    assert plurals
    for entry in plurals:
        assert set(entry.msgstr) == {0}, f"line {entry.line}: Chinese has one plural form (msgstr[0] only)"


def test_translations_keep_every_placeholder(catalogue):
    for entry in catalogue:
        if "python-format" not in entry.flags and "python-brace-format" not in entry.flags:
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for translated in entry.msgstr.values():
            assert set(PLACEHOLDER.findall(translated)) == wanted, f"line {entry.line}: {translated!r}"
            # A literal percent sign stays doubled, as in the English text: a single one breaks formatting.
            bare = PLACEHOLDER.sub("", translated.replace("%%", ""))
            assert "%" not in bare, f"line {entry.line}: {translated!r}"


def test_compiled_catalogue_matches_the_po(catalogue):
    """The committed .mo holds exactly the .po's translations (compilemessages ran after the last edit)."""
    assert MO.exists(), "run `manage.py compilemessages`: django.mo is missing"
    with MO.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            found = compiled._catalog.get(key)
        else:
            found = compiled._catalog.get((key, 0))
        if found != entry.msgstr.get(0):
            stale.append(f"line {entry.line}: {entry.msgid[:60]!r}")
    assert not stale, "django.mo is older than django.po; run compilemessages:\n" + "\n".join(stale[:20])
    assert len(compiled._catalog) - 1 == len(catalogue), "the .mo has entries the .po no longer has"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_no_source_string_is_missing_from_the_catalogue(tmp_path):
    """Scan the sources the way `make messages` does, in a copy of the project, and translate what is new."""
    copy = tmp_path / "project"
    skip = shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "vendor", "staticfiles", "bench", "__pycache__", "*.sqlite3",
        "test-artifacts", "*.mo", ".pytest_cache", "*.pyc",
    )
    copy.mkdir()
    for item in ROOT.iterdir():
        if item.name in {".git", ".venv", "node_modules", "staticfiles", "bench", "test-artifacts"}:
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=skip)
        elif item.suffix != ".sqlite3":
            shutil.copy2(item, copy / item.name)
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORE]
    result = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert result.returncode == 0, result.stderr
    problems = untranslated(parse_po(copy / "collab" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert not problems, (
        f"{len(problems)} strings in the sources are not translated yet (run `make messages`, translate, "
        "compile):\n" + "\n".join(problems[:40])
    )


# --- Pages follow the language --------------------------------------------------------------------------


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        translated = translation.gettext(message)
    assert translated != message, f"{message!r} has no Chinese translation"
    return translated


def chinese(html: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", html) is not None


def test_login_page_follows_the_browser_and_the_language_cookie(client):
    url = reverse("login")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in to Collab" in english and '<html lang="en">' in english
    assert not chinese(english.replace("简体中文", "")), "only the language picker may show Chinese"
    for headers in ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}):
        html = client.get(url, **headers).content.decode()
        assert zh("Log in to Collab") in html and "Log in to Collab" not in html
        assert '<html lang="zh-hans">' in html
    client.cookies["django_language"] = "zh-hans"
    assert zh("Password") in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


HOME_TEXT = {
    "hr_admin": ["Configuration", "Next steps", "Build the organisation tree"],
    "manager": ["Department dashboard"],
    "employee": ["My work", "My goals", "My points"],
    "committee": ["Action board", "In progress"],
    "auditor": ["You can read everything in this company and change nothing.", "Open the audit log"],
}


@pytest.mark.parametrize("role", sorted(HOME_TEXT))
def test_each_role_home_is_chinese_when_the_user_chose_it(login, tenant_a, tenant_b, role):
    tenant_a.locale = "en"
    tenant_a.save()
    person = make_member(tenant_a, role, username=f"lang-{role}")
    client = login(person)
    home = reverse("tenant-home", args=[tenant_a.slug])
    english = client.get(home).content.decode()
    for message in HOME_TEXT[role]:
        assert message in english
    user_language_set(user=person, language="zh-hans")
    html = client.get(home).content.decode()
    assert '<html lang="zh-hans">' in html
    for message in HOME_TEXT[role]:
        assert zh(message) in html
    assert zh("Log out") in html and zh("Home") in html, "the shared layout is translated too"
    assert "Log out" not in html
    user_language_set(user=person, language="en")
    assert HOME_TEXT[role][0] in client.get(home).content.decode()


def test_switching_language_in_the_header_saves_the_choice(login, tenant_a):
    person = make_member(tenant_a, "employee", username="switcher")
    client = login(person)
    home = reverse("tenant-home", args=[tenant_a.slug])
    response = client.post(reverse("set-language"), {"language": "zh-hans", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    person.profile.refresh_from_db()
    assert person.profile.language == "zh-hans"
    client.cookies.clear()  # the choice is on the profile, not only in the cookie
    client.force_login(person)
    assert zh("My work") in client.get(home).content.decode()


def test_tenant_locale_applies_when_the_user_has_no_choice(login):
    tenant = TenantFactory(slug="zh-co", locale="zh-hans")
    person = make_member(tenant, "employee", username="no-choice")
    home = reverse("tenant-home", args=[tenant.slug])
    html = login(person).get(home, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert zh("My work") in html


@pytest.mark.parametrize(
    ("name", "messages"),
    [
        ("org-tree", ["The org tree is empty.", "Add a unit"]),
        ("kpi-list", ["KPI library", "The KPI library is empty."]),
        ("member-list", ["More ways to add a member"]),
        ("period-list", ["No periods yet."]),
        ("audit-log", ["Audit log"]),
    ],
)
def test_hr_pages_are_chinese(login, tenant_a, tenant_b, hr_a, name, messages):
    user_language_set(user=hr_a, language="zh-hans")
    response = login(hr_a).get(reverse(name, args=[tenant_a.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for message in messages:
        assert zh(message) in html and message not in html
