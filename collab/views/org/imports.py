"""The organisation import: upload, dry run preview, commit.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.forms import org as forms
from collab.imports.export import export_xlsx, xlsx_response
from collab.imports.table import ImportFileError, Table
from collab.models import OrgUnit, Position
from collab.pages import HR_ONLY, tenant_page
from collab.services.org.importing import ORG_IMPORTS, org_importer
from collab.views.org.shared import _headers, _url

# ----- import -----
IMPORT_LISTS = {"units": "org-tree", "positions": "position-list", "employees": "employee-list"}


def _import_key(request, kind: str) -> str:
    # The session is the user's own; the key adds the tenant so two companies' uploads never mix.
    return f"collab-org-import:{request.tenant.pk}:{kind}"


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_import(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in IMPORT_LISTS else "units"
    if request.GET.get("template") in IMPORT_LISTS:
        template_kind = request.GET["template"]
        content = export_xlsx(
            _headers(template_kind), [], sheet_title=str(ORG_IMPORTS[template_kind].title)
        )
        return xlsx_response(content, f"import-{template_kind}.xlsx")
    upload = forms.ImportUploadForm(initial={"kind": kind})
    specs = [(key, importer.title, importer.columns) for key, importer in ORG_IMPORTS.items()]
    context: dict = {"upload": upload, "kind": kind, "result": None, "specs": specs}
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "commit":
            return _import_commit(request, context)
        if step == "cancel":
            confirm = forms.ImportConfirmForm(request.POST)
            if confirm.is_valid():
                request.session.pop(_import_key(request, confirm.cleaned_data["kind"]), None)
            return redirect(_url(request, "org-import"))
        upload = forms.ImportUploadForm(request.POST, request.FILES)
        context["upload"] = upload
        if upload.is_valid():
            kind = upload.cleaned_data["kind"]
            importer = org_importer(kind)
            try:
                table = importer.read(upload.cleaned_data["file"])
            except ImportFileError as error:
                upload.add_error("file", error.message)
            else:
                result = importer.dry_run(table)
                token = secrets.token_urlsafe(16)
                if result.ok:
                    request.session[_import_key(request, kind)] = {"token": token, "table": table.to_data()}
                context.update(_result_context(kind, importer, table, result), token=token)
        status = 400 if upload.errors or (context["result"] and not context["result"].ok) else 200
    return render(request, "collab/org/import.html", context, status=status)


def _result_context(kind: str, importer, table: Table, result) -> dict:
    columns = [(column.key, table.headers.get(column.key, column.label)) for column in importer.columns]
    preview = [
        {
            "number": row.number,
            "action": row.data.get("action", ""),
            "cells": [table_value(row, key) for key, _h in columns],
        }
        for row in result.preview
    ]
    return {
        "kind": kind,
        "result": result,
        "columns": columns,
        "preview": preview,
        "filename": table.filename,
        "ignored_headers": table.ignored_headers,
        "shown_errors": result.errors[:500],
        "creates": sum(1 for row in result.rows if row.data.get("action") == "create"),
        "updates": sum(1 for row in result.rows if row.data.get("action") == "update"),
    }


def table_value(row, key: str) -> str:
    value = row.data.get(key, "")
    if isinstance(value, OrgUnit | Position):
        return value.code
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else str(value)


def _import_commit(request, context: dict):
    confirm = forms.ImportConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, _("Upload the file again."))
        return redirect(_url(request, "org-import"))
    kind = confirm.cleaned_data["kind"]
    key = _import_key(request, kind)
    kept = request.session.get(key)
    if not isinstance(kept, dict) or not secrets.compare_digest(
        str(kept.get("token", "")), confirm.cleaned_data["token"]
    ):
        messages.error(request, _("That preview has expired or was replaced; upload the file again."))
        return redirect(f"{_url(request, 'org-import')}?kind={kind}")
    importer = org_importer(kind)
    try:
        table = Table.from_data(kept.get("table"))
    except ImportFileError as error:
        request.session.pop(key, None)
        messages.error(request, error.message)
        return redirect(f"{_url(request, 'org-import')}?kind={kind}")
    result = importer.commit(table, actor=request.user)
    if result.committed:
        request.session.pop(key, None)
        messages.success(
            request,
            _("Imported %(count)s rows from %(file)s.")
            % {"count": result.written, "file": table.filename or _("the file")},
        )
        return redirect(_url(request, IMPORT_LISTS[kind]))
    # The data changed since the dry run: nothing was written; show why.
    request.session.pop(key, None)
    context.update(
        _result_context(kind, importer, table, result), upload=forms.ImportUploadForm(initial={"kind": kind})
    )
    context["committed_failed"] = True
    return render(request, "collab/org/import.html", context, status=400)
