"""The audit log in words: actions, object types, field names, foreign keys and choices as a reader says
them, from the stored rows (which stay as they were)."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from collab.audit import AuditAction, audit_action_labels
from collab.models import AuditEvent, Period
from collab.selectors.audit.vocabulary import action_label
from collab.selectors.audit.words import SnapshotWords, _labels, object_names
from collab.services.accounts.preferences import user_language_set
from collab.tenancy import tenant_scope
from goals.models import KPI, Goal
from goals.services.tree.nodes import goal_create, goal_delete, goal_move, siblings_reweight
from tests.factories.audit import make_event
from tests.factories.goals import KPIFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

pytestmark = pytest.mark.django_db


def detail(client, tenant, event, **params) -> str:
    path = reverse("audit-event-detail", kwargs={"tenant_slug": tenant.slug, "pk": event.pk})
    return client.get(path, params).content.decode()


def cells(content: str, field: str) -> tuple[str, str]:
    """The before and after cells of one field of the diff table."""
    row = re.search(rf'<tr data-field="{field}".*?</tr>', content, re.S)
    assert row, f"no row for {field}"
    before, after = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    return re.sub(r"<[^>]+>", "", before).strip(), re.sub(r"<[^>]+>", "", after).strip()


@pytest.fixture
def org(tenant_a):
    with tenant_scope(tenant_a):
        mine = OrgUnitFactory(code="MINE", name="Coal mine")
        safety = OrgUnitFactory(code="SAFE", name="Safety department")
        return {
            "mine": mine,
            "safety": safety,
            "driller": PositionFactory(code="DRL", title="Driller", org_unit=mine),
            "inspector": PositionFactory(code="INS", title="Inspector", org_unit=safety),
            "boss": EmployeeFactory(employee_no="E1", name="Wang Qiang", org_unit=mine),
        }


@pytest.fixture
def transfer(tenant_a, hr_a, org):
    with tenant_scope(tenant_a):
        return make_event(
            actor=hr_a,
            action="employee.update",
            object_type="collab.employee",
            object_repr="Li Na",
            before={"name": "Li Na", "org_unit": org["mine"].pk, "position": org["driller"].pk,
                    "manager": None, "is_active": True},
            after={"name": "Li Na", "org_unit": org["safety"].pk, "position": org["inspector"].pk,
                   "manager": org["boss"].pk, "is_active": False},
        )  # fmt: skip


def test_foreign_keys_show_the_referenced_objects_label(tenant_a, hr_a, login, transfer):
    content = detail(login(hr_a), tenant_a, transfer)
    # units, positions and people carry their code: same-named units exist in every subsidiary
    assert cells(content, "org_unit") == ("Coal mine (MINE)", "Safety department (SAFE)")
    assert cells(content, "position") == ("Driller (DRL)", "Inspector (INS)")
    assert cells(content, "manager") == ("", "Wang Qiang (E1)")
    assert cells(content, "is_active") == ("yes", "no")
    assert "Employee edited" in content  # the action, not employee.update
    assert re.search(r'data-field="org_unit"[^>]*>\s*<th scope="row" class="fw-normal">Org unit', content)


def test_the_stored_row_keeps_its_ids(tenant_a, hr_a, login, transfer, org):
    detail(login(hr_a), tenant_a, transfer)
    with tenant_scope(tenant_a):
        stored = AuditEvent.objects.get(pk=transfer.pk)
    assert stored.after["org_unit"] == org["safety"].pk and stored.before["position"] == org["driller"].pk


def test_a_deleted_object_shows_its_id(tenant_a, hr_a, login, transfer, org):
    with tenant_scope(tenant_a):
        gone = org["inspector"].pk
        org["inspector"].delete()
    content = detail(login(hr_a), tenant_a, transfer)
    assert cells(content, "position") == ("Driller (DRL)", f"#{gone} (deleted)")


def test_another_tenants_object_is_never_named(tenant_a, tenant_b, hr_a, login):
    with tenant_scope(tenant_b):
        theirs = OrgUnitFactory(name="Bravo secret unit")
    with tenant_scope(tenant_a):
        event = make_event(action="org_unit.move", object_type="collab.orgunit", after={"parent": theirs.pk})
    content = detail(login(hr_a), tenant_a, event)
    assert "Bravo secret unit" not in content
    assert cells(content, "parent") == ("—", f"#{theirs.pk} (deleted)")


def test_choices_show_their_labels(tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        event = make_event(
            action="period.advance", object_type="collab.period", before={"status": "planning"},
            after={"status": "active"},
        )  # fmt: skip
        member = make_event(
            action="member.update", object_type="collab.membership", before={"roles": ["employee"]},
            after={"roles": ["hr_admin", "auditor"]},
        )  # fmt: skip
    client = login(hr_a)
    assert cells(detail(client, tenant_a, event), "status") == ("Planning", "Active")
    assert cells(detail(client, tenant_a, member), "roles") == ("Employee", "HR admin, Auditor")


def nested_matrix(tenant, org):
    with tenant_scope(tenant):
        return make_event(
            action="matrix.create", object_type="responsibility.responsibilitymatrix",
            after={"rows": [{"org_unit": org["mine"].pk, "role": "lead", "share": "60.00"},
                            {"org_unit": org["safety"].pk, "role": "support", "share": "40.00"}]},
        )  # fmt: skip


def test_nested_rows_name_their_units(tenant_a, hr_a, login, org):
    content = detail(login(hr_a), tenant_a, nested_matrix(tenant_a, org))
    assert re.search(r'data-field="rows"[^>]*>\s*<th scope="row" class="fw-normal">Matrix rows', content)
    _before, after = cells(content, "rows")
    assert "Org unit: Coal mine (MINE) · Role: Lead" in after and "Safety department (SAFE)" in after
    assert f'"org_unit": {org["mine"].pk}' not in after


def test_the_query_count_does_not_grow_with_the_references(tenant_a, hr_a, login, org):
    """Every unit named in a snapshot is loaded in one query per model, however many there are."""
    with tenant_scope(tenant_a):
        units = [org["mine"]] + [OrgUnitFactory() for _ in range(30)]

        def matrix(count):
            rows = [{"org_unit": unit.pk, "role": "support", "share": "1.00"} for unit in units[:count]]
            return make_event(action="matrix.create", object_type="responsibility.responsibilitymatrix",
                              after={"kpi": None, "rows": rows})  # fmt: skip

        small, large = matrix(1), matrix(31)
    client = login(hr_a)
    counts = []
    for event in (small, large):
        with CaptureQueriesContext(connection) as queries:
            content = detail(client, tenant_a, event)
        counts.append(len(queries))
    assert units[30].name in content
    assert counts[0] == counts[1], counts


def test_the_log_and_its_filter_speak_the_readers_language(tenant_a, hr_a, login, transfer, org):
    with tenant_scope(tenant_a):
        make_event(actor=None, action="period.close", object_type="collab.period")
    user_language_set(user=hr_a, language="zh-hans")
    client = login(hr_a)
    log = client.get(reverse("audit-log", kwargs={"tenant_slug": tenant_a.slug}))
    content = log.content.decode()
    assert '<option value="employee.update">员工信息已修改</option>' in content
    assert "<td>员工信息已修改</td>" in content
    assert 'title="employee.update"' not in content  # no code in a tooltip either
    assert '<option value="system">系统</option>' in content
    filtered = client.get(log.wsgi_request.path, {"action": "employee.update"})
    assert f'data-event="{transfer.pk}"' in filtered.content.decode()
    page = detail(client, tenant_a, transfer)
    assert cells(page, "is_active") == ("是", "否")
    assert "组织单元：" in detail(client, tenant_a, nested_matrix(tenant_a, org))


def test_every_recorded_action_has_a_label():
    """Each action code written by a service (or the demo) is named for the reader: its app registered it."""
    pattern = re.compile(r"""(?:action=|ACTION_\w+ = )"([a-z_]+\.[a-z_]+)\"""")
    found = set()
    apps = ("collab", "goals", "responsibility", "interlock", "feedback", "alerts", "ecosystem", "governance")
    for app in apps:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            found.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert found, "no action codes found: the pattern is stale"
    assert sorted(found - set(audit_action_labels())) == []


def test_objects_named_by_ids_get_names(tenant_a, hr_a, login, org, django_assert_max_num_queries):
    """A scorecard's stored name is 'unit:7@3': the log names its unit and period instead, in bulk."""
    with tenant_scope(tenant_a):
        period = PeriodFactory(kind="year", year=2031)

        def scorecards(count):
            return [
                make_event(action="scorecard.create", object_type="interlock.scorecard", object_id=n,
                           object_repr=f"unit:{org['mine'].pk}@{period.pk}",
                           after={"org_unit": org["mine"].pk, "position": None, "period": period.pk})
                for n in range(count)
            ]  # fmt: skip

        scorecards(1)
    client = login(hr_a)
    path = reverse("audit-log", kwargs={"tenant_slug": tenant_a.slug})
    with CaptureQueriesContext(connection) as one:
        content = client.get(path).content.decode()
    assert "Coal mine (MINE) · 2031" in content
    assert f"unit:{org['mine'].pk}@{period.pk}" not in content  # not even in a tooltip
    with tenant_scope(tenant_a):
        scorecards(20)
    with django_assert_max_num_queries(len(one)):
        client.get(path)


# --- goals named as goals, wherever they are referenced -----------------------------------------------------


@pytest.fixture
def goals(tenant_a, hr_a, org):
    """A Coal mine goal with a Driller sub-goal, and a Safety goal, in 2031 Q2 (through the real services)."""
    with tenant_scope(tenant_a):
        period = PeriodFactory(kind="quarter", year=2031, quarter=2)
        output = KPIFactory(code="OUT", name="Output", owner_unit=org["mine"])
        accidents = KPIFactory(code="ACC", name="Accidents", owner_unit=org["safety"])
        mine = goal_create(
            actor=hr_a, period=period, org_unit=org["mine"], kpi=output, weight=60
        )
        safety = goal_create(
            actor=hr_a, period=period, org_unit=org["safety"], kpi=accidents, weight=40
        )
        driller = goal_create(
            actor=hr_a, period=period, org_unit=org["mine"], position=org["driller"], kpi=output, parent=mine
        )
    return {"period": period, "mine": mine, "safety": safety, "driller": driller}


def test_a_parent_goal_is_named_like_a_goal(tenant_a, hr_a, login, goals):
    """A move's parent reads 'Coal mine (MINE) · OUT Output · 2031 Q2', not the goal's own '7:12'."""
    with tenant_scope(tenant_a):
        goal_move(
            actor=hr_a, goal=goals["driller"], lock_version=goals["driller"].lock_version,
            parent=goals["safety"],
        )
        move = AuditEvent.objects.get(action="goal.move")
    content = detail(login(hr_a), tenant_a, move)
    assert cells(content, "parent") == (
        "Coal mine (MINE) · OUT Output · 2031 Q2",
        "Safety department (SAFE) · ACC Accidents · 2031 Q2",
    )
    assert str(goals["mine"]) not in cells(content, "parent")[0]
    # the moved goal itself, with its position
    assert "Coal mine (MINE) · Driller (DRL) · OUT Output · 2031 Q2" in content


def test_a_reweight_names_the_parent_goal_and_its_children(tenant_a, hr_a, login, goals):
    """A reweight is recorded on the parent goal with only its children's weights by id: the log names that
    parent goal (or the period's top level) and each child goal."""
    with tenant_scope(tenant_a):
        siblings_reweight(actor=hr_a, weights={goals["mine"].pk: 70, goals["safety"].pk: 30})
        siblings_reweight(actor=hr_a, weights={goals["driller"].pk: 100})
        top, under_mine = AuditEvent.objects.filter(action="goal.reweight").order_by("pk")
    client = login(hr_a)
    log = client.get(reverse("audit-log", kwargs={"tenant_slug": tenant_a.slug})).content.decode()
    assert "top level of 2031 Q2" in log
    assert re.search(rf'data-event="{under_mine.pk}">.*?Coal mine \(MINE\) · OUT Output · 2031 Q2', log, re.S)
    before, after = cells(detail(client, tenant_a, top), "weights")
    assert "Coal mine (MINE) · OUT Output · 2031 Q2: 60.00" in before
    assert "Safety department (SAFE) · ACC Accidents · 2031 Q2: 30.00" in after
    assert f'"{goals["mine"].pk}"' not in after


def test_a_deleted_goal_is_named_from_its_last_snapshot(tenant_a, hr_a, login, goals):
    """A deletion's 'after' is a summary ({period, deleted}): the name comes from 'before'."""
    with tenant_scope(tenant_a):
        goal_delete(actor=hr_a, goal=goals["safety"])
        deletion = AuditEvent.objects.get(action="goal.delete")
    log = login(hr_a).get(reverse("audit-log", kwargs={"tenant_slug": tenant_a.slug})).content.decode()
    row = re.search(rf'data-event="{deletion.pk}">.*?</tr>', log, re.S).group(0)
    assert "Safety department (SAFE) · ACC Accidents · 2031 Q2" in row


def test_labels_made_by_the_database_read_as_the_models_name_them(tenant_a, goals, org):
    """The labels are database expressions (one query names many, and the search matches them): they say
    what the models say (Period.label, KPI.__str__), and a goal referenced reads as a goal's own events."""
    with tenant_scope(tenant_a):
        periods = [goals["period"], PeriodFactory(kind="month", year=2031, month=3), PeriodFactory(year=2032)]
        labels = _labels(Period, {p.pk for p in periods})
        assert [labels[p.pk] for p in periods] == ["2031 Q2", "2031-03", "2032"]
        assert [p.label for p in periods] == ["2031 Q2", "2031-03", "2032"]
        kpi = KPI.objects.get(code="OUT")
        assert _labels(KPI, {kpi.pk}) == {kpi.pk: str(kpi)}
        created = AuditEvent.objects.get(action="goal.create", object_id=str(goals["driller"].pk))
        own_name = object_names([created])[created.pk]
        assert _labels(Goal, {goals["driller"].pk}) == {goals["driller"].pk: own_name}
        assert SnapshotWords([created]).value("goals.goal", "parent", goals["mine"].pk) == (
            "Coal mine (MINE) · OUT Output · 2031 Q2"
        )


# --- the export says what the page says --------------------------------------------------------------------


def export_rows(client, tenant, **params) -> list[tuple]:
    response = client.get(reverse("audit-export", kwargs={"tenant_slug": tenant.slug}), params)
    assert response.status_code == 200
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_export_is_in_words_and_the_readers_language(tenant_a, hr_a, login, transfer, org):
    with tenant_scope(tenant_a):
        make_event(actor=None, action="period.close", object_type="collab.period", object_repr="2031",
                   before={"status": "review"}, after={"status": "closed"})  # fmt: skip
    user_language_set(user=hr_a, language="zh-hans")
    rows = export_rows(login(hr_a), tenant_a)
    header, closed, edited = rows
    assert header[:4] == ("时间", "操作人", "操作", "对象类型")
    assert closed[1:4] == ("系统", "考核周期已关闭", "考核周期")
    assert closed[6:] == ("状态", "状态：评审中", "状态：已关闭")
    assert edited[2:6] == ("员工信息已修改", "员工", str(transfer.object_id), "Li Na")
    changed = edited[6].split(", ")
    assert "组织单元" in changed and "name" not in changed and len(changed) == 4  # name did not change
    assert "组织单元：Coal mine (MINE)" in edited[7].splitlines()
    assert "组织单元：Safety department (SAFE)" in edited[8].splitlines()
    assert "直属经理：—" in edited[7].splitlines() and "直属经理：Wang Qiang (E1)" in edited[8].splitlines()
    assert "{" not in edited[7] + edited[8]  # no JSON


def test_the_export_names_objects_like_the_log(tenant_a, hr_a, login, org, goals):
    """A goal's row names its unit, KPI and period, and nested rows and references read as on the page."""
    rows = export_rows(login(hr_a), tenant_a, action="goal.create")
    names = {row[5] for row in rows[1:]}
    assert "Coal mine (MINE) · Driller (DRL) · OUT Output · 2031 Q2" in names
    driller = next(row for row in rows[1:] if "Driller" in row[5])
    assert "Parent: Coal mine (MINE) · OUT Output · 2031 Q2" in driller[8].splitlines()
    matrix = nested_matrix(tenant_a, org)
    (_header, row) = export_rows(login(hr_a), tenant_a, object_id=matrix.object_id, action="matrix.create")
    assert "Org unit: Coal mine (MINE) · Role: Lead" in row[8]


def test_each_app_names_its_own_audit_actions():
    # The labels come from the apps' own choices (registered in their AppConfig.ready), in both languages.
    from goals.audit import GoalsAuditAction
    from interlock.audit import InterlockAuditAction
    from responsibility.audit import ResponsibilityAuditAction

    labels = audit_action_labels()
    for choices in (AuditAction, GoalsAuditAction, ResponsibilityAuditAction, InterlockAuditAction):
        assert all(labels[code] == label for code, label in choices.choices)
    with translation.override("zh-hans"):
        assert action_label(GoalsAuditAction.KPI_CREATE) != "KPI added"
    assert action_label("scorecard.publish") == "Scorecard published"
    assert action_label("nobody.named_this") == "nobody.named_this"


def test_each_app_words_its_own_objects():
    # collab knows no app's models: the apps register how the log names theirs (AppConfig.ready).
    from collab.selectors.audit import vocabulary as audit

    assert set(audit.OBJECT_NAME_FIELDS) == {
        "goals.goal", "goals.measurement", "responsibility.responsibilitymatrix", "interlock.scorecard",
    }
    assert {"goals.kpi", "goals.goal"} <= set(audit.REFERENCE_LABELS)
    assert audit.SIBLINGS_PARENTS == {"goals.goal": "parent"}
    assert audit.KEYED_BY_REFERENCES == {"goals.goal": {"weights": "goals.goal"}}


def test_a_moment_in_a_snapshot_reads_in_the_readers_language_and_the_tenants_time_zone(
    tenant_a, tenant_b, hr_a, hr_b, login
):
    """Issue 8 item 12: 'Published at' in English and raw UTC ('2026-12-06 18:43:11.031740+00:00')."""
    with tenant_scope(tenant_b):  # the second tenant in the room, in another zone
        make_event(actor=hr_b, action="scorecard.publish", object_type="interlock.scorecard", object_id="9",
                   after={"published_at": "2026-12-06 18:43:11.031740+00:00"})  # fmt: skip
    with tenant_scope(tenant_a):
        tenant_a.timezone = "Asia/Shanghai"
        tenant_a.save(update_fields=["timezone"])
        event = make_event(
            actor=hr_a,
            action="scorecard.publish",
            object_type="interlock.scorecard",
            object_id="7",
            before={"published_at": None, "status": "draft"},
            after={"published_at": "2026-12-06 18:43:11.031740+00:00", "status": "published"},
        )
    user_language_set(user=hr_a, language="zh-hans")
    content = detail(login(hr_a), tenant_a, event)
    assert cells(content, "published_at") == ("", "2026-12-07 02:43:11")
    row = re.search(r'<tr data-field="published_at".*?</th>', content, re.S).group(0)
    assert "发布时间" in row and "Published at" not in row and "published_at</code>" not in row
    assert "+00:00" not in content and "031740" not in content
    assert 'title="scorecard.publish"' not in content and "<code" not in content
    with tenant_scope(tenant_a):
        words = SnapshotWords([event], timezone_name="America/New_York")
        assert words.value("interlock.scorecard", "published_at", event.after["published_at"]) == (
            "2026-12-06 13:43:11"
        )


def test_automatic_field_names_of_audited_models_are_translated():
    """Django's made-up verbose names ('published at') are never translated: the log names them itself."""
    from collab.selectors.audit.words import _field_label

    with translation.override("zh-hans"):
        for object_type, key in [
            ("interlock.scorecard", "published_at"),
            ("collab.membership", "created_at"),
            ("collab.membership", "deactivated_at"),
            ("collab.orgunit", "updated_at"),
            ("collab.orgunit", "lock_version"),
        ]:
            from django.apps import apps

            label = _field_label(apps.get_model(object_type), key)
            assert re.search(r"[\u4e00-\u9fff]", label), (object_type, key, label)


def test_a_recomputes_counts_are_named_in_the_readers_language():
    """The recompute's and the matrix backfill's audit rows record counts under keys that are no model
    field; the detail page named them by the raw key ("matrix_rows")."""
    from collab.selectors.audit.words import _field_label

    with translation.override("zh-hans"):
        labels = [_field_label(Period, key) for key in ("snapshots", "deleted", "matrix_rows", "partial")]
    assert labels == ["写入的得分数", "删除的旧得分数", "计分的矩阵行数", "部分重算"]


def test_a_reverse_one_to_one_key_is_named_by_its_model():
    """A snapshot key naming a reverse one-to-one relation (a proposal's `evidence_file`) has no verbose
    name of its own: the log names it by the related model (it raised AttributeError and broke the export)."""
    from django.apps import apps

    from collab.selectors.audit.words import _field_label

    proposal = apps.get_model("feedback.pointproposal")
    related = proposal._meta.get_field("evidence_file").related_model
    assert _field_label(proposal, "evidence_file").lower() == str(related._meta.verbose_name).lower()
