"""No stray spaces inside Chinese sentences (issue 8 item 12): "生产部 的人员", "…及时率 的责任矩阵已保存"
came from zh_Hans translations that put spaces around placeholders, which a Chinese name then filled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from collab.services.accounts.preferences import user_language_set
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.org import EmployeeFactory, OrgUnitFactory

CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
PLACEHOLDER = r"(?:%\(\w+\)[sdr]|%[sd]|%%)"
STRAY = re.compile(rf"{PLACEHOLDER} +{CJK}|{CJK} +{PLACEHOLDER}")


def catalogue() -> dict:
    path = Path(settings.BASE_DIR) / "collab" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as mo:
        return gettext.GNUTranslations(mo)._catalog


def test_no_translation_puts_a_space_between_a_placeholder_and_chinese():
    found = catalogue()
    assert len(found) > 500, "the compiled catalogue was read"
    stray = sorted(str(text) for text in found.values() if STRAY.search(str(text)))
    assert stray == []


def test_the_reported_messages_render_without_spaces():
    with translation.override("zh-hans"):
        assert translation.gettext("People in %(unit)s") % {"unit": "生产部"} == "生产部的人员"
        saved = translation.gettext("Responsibility matrix for %(kpi)s saved.") % {"kpi": "设备检修及时率"}
        assert saved == "设备检修及时率的责任矩阵已保存。"


def test_the_manager_home_reads_as_one_chinese_sentence(tenant_a, tenant_b, login):
    manager = make_member(tenant_a, "manager", username="mgr-zh")
    with tenant_scope(tenant_a):
        EmployeeFactory(org_unit=OrgUnitFactory(name="生产部"), user=manager)
    with tenant_scope(tenant_b):
        EmployeeFactory(org_unit=OrgUnitFactory(name="生产部"))
    user_language_set(user=manager, language="zh-hans")
    html = login(manager).get(reverse("tenant-home", args=[tenant_a.slug])).content.decode()
    assert "生产部的人员" in html and "生产部 的人员" not in html


# A number standing on its own (not part of a Latin term such as "UTF-8"), or a placeholder for one.
NUMBER = r"(?:(?<![A-Za-z0-9\-.,])[0-9](?:[0-9.,]*[0-9])?|%\(\w+\)[sd])"
NUMBER_STRAY = re.compile(rf"{CJK} +[0-9]|{NUMBER} +{CJK}|{NUMBER} +%%")


def test_no_translation_puts_a_space_between_a_number_and_chinese():
    """Issue 8 follow-up: "低于 80 的计分卡", "100 %": a number sits in a Chinese sentence without spaces."""
    found = catalogue()
    stray = sorted(str(text) for text in found.values() if NUMBER_STRAY.search(str(text)))
    assert stray == []
    with translation.override("zh-hans"):
        assert translation.gettext("Scorecards under 80") == "低于80的计分卡"
        ready = translation.gettext("Weights add up to 100 %%: ready to publish.")
        assert ready == "权重合计为100%%：可以发布。"
