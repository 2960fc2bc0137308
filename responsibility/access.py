"""Access by noun for responsibility matrices: one door for the pages, the API and interlock's what-if.

`access_<noun>_by_id(membership, pk, *, write=False, lock=False)` (see `collab.access.access_by_id`): a
missing id, a malformed one and another tenant's id are the same 404, a role that may not is a 403,
`lock` locks the row for the write that follows.

HR admins change matrices; managers, committee members and auditors read them; employees do not (the
pages and the API say the same: `MATRIX_READERS`).
"""

from __future__ import annotations

from django.http import Http404

from collab.access import HR_WRITES, access_by_id
from collab.models import ALL_BUT_EMPLOYEES
from responsibility.models import MatrixRow, ResponsibilityMatrix
from responsibility.selectors import matrix_with_rows

MATRIX_READERS = ALL_BUT_EMPLOYEES
MATRIX_WRITERS = HR_WRITES


def access_matrix_by_id(
    membership, pk, *, write: bool = False, lock: bool = False
) -> ResponsibilityMatrix:
    """The matrix version `pk` with its KPI, period and rows (rows prefetched, in their order)."""
    return access_by_id(
        matrix_with_rows(), membership, pk,
        readers=MATRIX_READERS, writers=MATRIX_WRITERS, write=write, lock=lock,
    )  # fmt: skip


def access_matrix_version_by_id(membership, pk, *, of: ResponsibilityMatrix) -> ResponsibilityMatrix:
    """Another version of the same KPI's matrix as `of` (the compare page); any other matrix is a 404."""
    other = access_matrix_by_id(membership, pk)
    if other.kpi_id != of.kpi_id:
        raise Http404
    return other


def access_matrix_row_by_id(membership, pk, *, write: bool = False, lock: bool = False) -> MatrixRow:
    """One row of a matrix (rows change only with their matrix, through its services)."""
    return access_by_id(
        MatrixRow.objects.select_related("matrix", "org_unit", "evaluation_kpi"), membership, pk,
        readers=MATRIX_READERS, writers=MATRIX_WRITERS, write=write, lock=lock,
    )  # fmt: skip
