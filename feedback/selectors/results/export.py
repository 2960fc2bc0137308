"""One rated subject's results as the rows of an Excel sheet — the same `SubjectResults` the page shows, so
the export makes the same anonymity decisions; headers and words in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from feedback.selectors.results.shapes import SubjectResults, split_label


def hidden_text() -> str:
    return _("hidden to protect raters' anonymity")


def export_headers() -> list[str]:
    return [_("Section"), _("Group"), _("Dimension"), _("Mean (1–5)"), _("Raters"), _("Note")]


def _slice_rows(section: str, view) -> list[list]:
    if not view.shown:
        return [[section, view.label, "", None, None, hidden_text()]]
    rows = [[section, view.label, _("Overall"), round(view.overall, 2), view.raters, ""]]
    rows += [
        [section, view.label, d.name, None if d.mean is None else round(d.mean, 2), view.raters, ""]
        for d in view.dimensions
    ]
    return rows


def _weighted_rows(weighted) -> list[list]:
    section = weighted.title
    if weighted.overall is None:
        rows = [[section, "", _("Overall"), None, None, _("No weighted rater role has a shown result.")]]
    else:
        rows = [[section, "", _("Overall"), round(weighted.overall, 2), None, ""]]
        rows += [
            [section, "", d.name, None if d.mean is None else round(d.mean, 2), None, ""]
            for d in weighted.dimensions
        ]
    for role in weighted.roles:
        weights = _("configured %(weight)d %%") % {"weight": role.weight}
        if role.effective is not None:
            weights += " · " + _("effective %(weight)s %%") % {"weight": f"{role.effective:.1f}"}
        note = " · ".join(text for text in (weights, role.note) if text)
        mean = None if role.overall is None else round(role.overall, 2)
        rows.append([_("Role weights"), role.label, _("Overall"), mean, None, note])
    return rows


def export_rows(result: SubjectResults) -> list[list]:
    if not result.closed:
        return [[_("Response rate"), "", "", None, None, f"{result.submitted}/{result.assigned}"]]
    rows = _slice_rows(_("Whole campaign"), result.whole)
    for split, views in result.splits.items():
        for view in views:
            rows += _slice_rows(split_label(split), view)
    for dimension, counts in result.distribution:
        for point, count in enumerate(counts, start=1):
            rows.append([_("Distribution"), str(point), dimension.name, None, count, ""])
    for point in result.trend:
        rows.append([
            _("Trend"), f"{point.period} · {point.campaign}", _("Overall"),
            None if point.overall is None else round(point.overall, 2), point.raters,
            "" if point.shown else hidden_text(),
        ])  # fmt: skip
    if result.attributed is not None:
        given = result.attributed
        overall = None if given["overall"] is None else round(given["overall"], 2)
        section = _("Line manager's rating (attributed)")
        rows.append([section, given["rater"], _("Overall"), overall, 1, given["comment"]])
    if result.weighted is not None:
        rows += _weighted_rows(result.weighted)
    for text in result.comments or []:
        rows.append([_("Comments"), "", "", None, None, text])
    return rows
