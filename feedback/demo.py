"""Demo data of the feedback app: the review templates the seed names (§二.1 内部客户评价): R&D rated by
sales, HR rated by every business unit, and, in the mining group, the shared services rated by the mines.
Created through `review_template_create` as the demo HR admin (`DEMO_STEPS`, run by `collab.demo`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from feedback.demo_results import review_results_build
from feedback.services.templates import review_template_create

if TYPE_CHECKING:
    from collab.demo.steps import DemoContext

ANCHORS = {
    "speed": (
        "超过一周仍未回应", "一周内回应", "三个工作日内回应", "一个工作日内回应", "当天回应并给出处理计划",
    ),
    "feasibility": (
        "方案无法落地", "需大幅返工才能落地", "基本可行，需少量调整", "可直接落地",
        "可直接落地并考虑了后续扩展",
    ),
    "solving": (
        "问题长期悬而未决", "需多次催促才解决", "在约定时间内解决", "提前解决", "提前解决并杜绝复发",
    ),
    "recruiting": (
        "岗位空缺超过三个月", "两到三个月到岗", "一到两个月到岗", "一个月内到岗", "两周内到岗且人岗匹配",
    ),
    "training": (
        "培训与业务无关", "少部分内容可用", "大部分内容可用", "针对业务痛点设计", "针对痛点设计并跟踪效果",
    ),
    "service": (
        "经常出错或拖延", "偶有差错", "按时准确", "按时准确并主动提醒", "主动优化流程、减少我方工作量",
    ),
}  # fmt: skip

TEMPLATES = {
    "tech": [
        ("研发部内部客户评价（销售部评）", "研发部的内部客户是销售部：评价需求响应与方案质量。", [
            ("需求响应速度", "客户需求提出后研发的响应", "speed"),
            ("方案可行性", "研发给出的方案能否落地", "feasibility"),
            ("问题解决及时性", "产品问题从提出到解决", "solving"),
        ]),
        ("人力资源部内部客户评价（各业务单元评）", "人力资源部的内部客户是各业务单元。", [
            ("招聘及时性", "用人需求到人员到岗", "recruiting"),
            ("培训匹配度", "培训内容与业务需要的匹配", "training"),
        ]),
    ],
    "mining": [
        ("共享服务中心内部客户评价（各矿山评）", "财务、人力、采购等共享服务由各矿山评价。", [
            ("服务及时准确", "单据、薪酬、采购等服务的及时与准确", "service"),
            ("问题解决及时性", "提出的问题多快得到解决", "solving"),
        ]),
    ],
}


def review_templates_build(ctx: DemoContext) -> None:
    for name, description, dimensions in TEMPLATES.get(ctx.plan.slug, ()):
        review_template_create(
            actor=ctx.hr_user,
            data={"name": name, "kind": "internal_customer", "description": description},
            dimensions=[
                {"name": dimension, "description": about,
                 **{f"anchor_{point}": text for point, text in enumerate(ANCHORS[anchors], start=1)}}
                for dimension, about, anchors in dimensions
            ],  # fmt: skip
        )


DEMO_STEPS = [review_templates_build, review_results_build]
