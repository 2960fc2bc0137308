"""The Excel/CSV import of collaboration events: a dry run, then all or nothing (`collab.imports.tabular`).

Units by code, people by employee number, kind by code or label in either language, times as
"2026-03-31 17:30" (the tenant's zone) or ISO 8601, attended yes/no. `Answers` is the external id of the
request a response answers (a request stored before the import). Rows are written together through
`feedback.services.events.events_record_bulk` (source "import"), so the import is idempotent by external id
like the API; any bad row writes nothing, and its errors name the row as the file numbers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collab.imports.table import CleanRow, Column, ImportResult, Table
from collab.imports.tabular import TabularImport
from collab.models import Employee, OrgUnit
from feedback.models import CollaborationEvent, EventKind, EventSource
from feedback.models.events import DESCRIPTION_MAX, EXTERNAL_ID_MAX, TITLE_MAX
from feedback.services.events import EventRowErrors, events_record_bulk

YES = {"yes", "y", "true", "1", "是", "出席", "参加"}
NO = {"no", "n", "false", "0", "否", "缺席", "未参加"}


def _kind_names() -> dict[str, str]:
    names = {value.casefold(): value for value in EventKind.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.update({str(label).casefold(): value for value, label in EventKind.choices})
    return names


class EventImport(TabularImport):
    columns = (
        Column("kind", ("Kind", "类型"), max_length=40),
        Column("title", ("Title", "标题"), max_length=TITLE_MAX),
        Column("from_unit", ("From unit", "发起单位"), max_length=50),
        Column("to_unit", ("To unit", "对象单位"), max_length=50),
        Column("occurred_at", ("Occurred at", "发生时间"), max_length=40),
        Column("due_at", ("Due at", "截止时间"), required=False, max_length=40),
        Column("done_at", ("Done at", "完成时间"), required=False, max_length=40),
        Column("from_employee", ("From person", "发起人"), required=False, max_length=50),
        Column("to_employee", ("To person", "对象人"), required=False, max_length=50),
        Column("attended", ("Attended", "是否出席"), required=False, max_length=10),
        Column("answers", ("Answers", "回应的请求"), required=False, max_length=EXTERNAL_ID_MAX),
        Column("external_id", ("External id", "外部编号"), required=False, max_length=EXTERNAL_ID_MAX),
        Column(
            "description",
            ("Description", "说明", "Detail", "详情"),  # English, then Chinese: the export writes these two
            required=False,
            max_length=DESCRIPTION_MAX,
        ),
    )
    title = gettext_lazy("Import collaboration events")
    max_rows = 5000

    def prepare(self, table: Table) -> None:
        def wanted(*keys: str) -> set[str]:
            return {values.get(key, "") for _n, values in table.rows for key in keys} - {""}

        self.units = dict(
            OrgUnit.objects.filter(code__in=wanted("from_unit", "to_unit")).values_list("code", "pk")
        )
        self.people = dict(
            Employee.objects.filter(employee_no__in=wanted("from_employee", "to_employee")).values_list(
                "employee_no", "pk"
            )
        )
        self.requests = dict(
            CollaborationEvent.objects.filter(external_id__in=wanted("answers")).values_list(
                "external_id", "pk"
            )
        )
        self.kinds = _kind_names()

    def clean_row(self, values: dict[str, str]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        data: dict[str, Any] = {
            "title": values["title"], "description": values.get("description", ""),
            "external_id": values.get("external_id", ""),
        }  # fmt: skip
        kind = self.kinds.get(values["kind"].casefold())
        if kind is None:
            errors["kind"] = [_("Unknown kind “%(kind)s”.") % {"kind": values["kind"]}]
        data["kind"] = kind
        for key in ("from_unit", "to_unit"):
            data[key] = self.units.get(values[key])
            if data[key] is None:
                errors[key] = [_("No unit has the code “%(code)s”.") % {"code": values[key]}]
        for key in ("from_employee", "to_employee"):
            number = values.get(key, "")
            data[key] = self.people.get(number) if number else None
            if number and data[key] is None:
                errors[key] = [_("No employee has the number “%(no)s”.") % {"no": number}]
        for key in ("occurred_at", "due_at", "done_at"):
            data[key] = values.get(key, "").replace(" ", "T", 1) or None
        attended = values.get("attended", "").casefold()
        data["attended"] = True if attended in YES else False if attended in NO else None
        if attended and data["attended"] is None:
            errors["attended"] = [_("Write yes or no.")]
        answers = values.get("answers", "")
        data["answers"] = self.requests.get(answers) if answers else None
        if answers and data["answers"] is None:
            errors["answers"] = [_("No stored event has the external id “%(id)s”.") % {"id": answers}]
        if errors:
            raise ValidationError(errors)
        return data

    def clean_rows(self, rows: list[CleanRow]) -> list:
        return self.duplicate_errors(rows, "external_id")

    def dry_run(self, table: Table) -> ImportResult:
        """Every check the commit makes (the services' too), nothing written."""
        return self._run(table, actor=None, check_only=True)

    def commit(self, table: Table, *, actor) -> ImportResult:
        return self._run(table, actor=actor, check_only=False)

    def _run(self, table: Table, *, actor, check_only: bool) -> ImportResult:
        result = self.validate(table)
        if result.errors:
            return result
        try:
            outcome = events_record_bulk(
                actor=actor, rows=[row.data for row in result.rows], source=EventSource.IMPORT,
                label=table.filename, check_only=check_only,
            )  # fmt: skip
        except EventRowErrors as invalid:
            for index, row_errors in invalid.rows.items():
                number = result.rows[index].number
                for key, messages in row_errors.items():
                    column = "" if key == NON_FIELD_ERRORS else key
                    result.errors.extend(self.row_error(number, column, message) for message in messages)
            return result
        except ValidationError as invalid:
            result.errors.extend(self.row_error(0, "", message) for message in invalid.messages)
            return result
        if not check_only:
            result.committed = True
            result.written = outcome.created
        return result


def _local(moment, zone) -> str:
    """A time as the import reads it back: the tenant's wall clock, to the microsecond when it has one."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, zone)
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text}.{local.microsecond:06d}" if local.microsecond else text


def events_export_rows(events: Iterable[CollaborationEvent], zone) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of an export in the reader's language (headers, kind labels, yes/no) that
    `EventImport` reads back unchanged, whichever language it is imported in: units by code, people by
    employee number, times in the tenant's zone `zone`, a response's request by its external id (blank when
    the request has none: the link is then not in the file)."""
    language = translation.get_language()
    headers = [column.header_for(language) for column in EventImport.columns]
    yes, no = _("yes"), _("no")
    rows = []
    for event in events:
        attended = "" if event.attended is None else yes if event.attended else no
        rows.append(
            [
                str(event.get_kind_display()), event.title, event.from_unit.code, event.to_unit.code,
                _local(event.occurred_at, zone), _local(event.due_at, zone), _local(event.done_at, zone),
                event.from_employee.employee_no if event.from_employee else "",
                event.to_employee.employee_no if event.to_employee else "",
                attended, event.answers.external_id if event.answers else "", event.external_id,
                event.description,
            ]
        )  # fmt: skip
    return headers, rows


def events_import(*, actor, table: Table, dry_run: bool) -> ImportResult:
    importer = EventImport()
    return importer.dry_run(table) if dry_run else importer.commit(table, actor=actor)
