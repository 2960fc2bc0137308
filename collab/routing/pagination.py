"""The API's one pager: keyset (cursor) pagination over the list's own indexed order (`collab.keyset`).

Every list answers `{"next": url|null, "previous": url|null, "results": […]}`; `?cursor=` takes the
opaque value of a `next`/`previous` link. No `count` and no page numbers: counting or skipping rows would
cost in proportion to the tenant. A cursor the server did not make (tampered, another list's) is a 400
naming the `cursor` field. The order is the viewset's queryset's `order_by`, the primary key last; an
index serves it (see docs/ARCHITECTURE.md, "Lists").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from collab.keyset import InvalidCursor, keyset_page

CURSOR_PARAM = "cursor"


class KeysetPagination(BasePagination):
    cursor_query_param = CURSOR_PARAM
    page_size = api_settings.PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        cursor = request.query_params.get(self.cursor_query_param) or None
        try:
            self.page = keyset_page(queryset, cursor, self.page_size)
        except InvalidCursor:
            raise ValidationError(
                {self.cursor_query_param: [_("This cursor is not valid: follow a next or previous link.")]}
            ) from None
        return self.page.object_list

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def get_next_link(self) -> str | None:
        return self._link(self.page.next_cursor)

    def get_previous_link(self) -> str | None:
        return self._link(self.page.previous_cursor)

    def first_link(self) -> str:
        return remove_query_param(self.base_url, self.cursor_query_param)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next page (null: this is the last)."},
                "previous": {**link, "description": "The previous page (null: this is the first)."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The opaque position of a page, from a `next` or `previous` link (a cursor "
                "not made by this list answers 400).",
                "schema": {"type": "string"},
            }
        ]


class ComputedListPagination(PageNumberPagination):
    """The pager of a list computed in memory (already bounded, e.g. a cached summary's order): there is no
    index to page by, so it pages by number and says how many there are (`count`, `?page=`)."""

    page_size = api_settings.PAGE_SIZE
