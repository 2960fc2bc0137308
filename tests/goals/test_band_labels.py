"""Words with a context where English uses one word for two things: the band words have a context of their
own (the amber band 接近目标 is not a dialog's "Close", 关闭); a KPI's unit of measure (计量单位) is not an
org unit."""

from __future__ import annotations

from django.utils import translation

from goals.engine.common import BAND_AMBER, BANDS
from goals.selectors.scores import BAND_LABELS


def test_the_amber_band_and_the_close_button_translate_apart():
    with translation.override("zh-hans"):
        assert str(BAND_LABELS[BAND_AMBER]) == "接近目标"
        assert translation.gettext("Close") == "关闭"


def test_every_band_has_a_chinese_word_of_its_own():
    with translation.override("zh-hans"):
        words = [str(BAND_LABELS[band]) for band in BANDS]
    assert words == ["达标", "接近目标", "未达标", "无数据"]
    with translation.override("en"):
        english = [str(BAND_LABELS[band]) for band in BANDS]
    assert english == ["On target", "Near target", "Off target", "No data"]


def test_a_kpis_unit_of_measure_is_not_an_org_unit_in_chinese():
    with translation.override("zh-hans"):
        assert translation.pgettext("unit of measure", "Unit") == "计量单位"
        assert translation.gettext("Org unit") == "组织单元"
