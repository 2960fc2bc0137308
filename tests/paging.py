"""Follow the keyset pager's links as a reader would (`collab/_pager.html`, `collab.pages.paginate`)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit


def pager_link(response, rel: str = "next") -> dict[str, str] | None:
    """The query of the page's `rel` link ("next" or "prev"), or None when the page has none."""
    body = response.content.decode()
    found = re.search(rf'rel="{rel}" href="([^"#]*)', body)
    if found is None:
        return None
    query = parse_qs(urlsplit(html.unescape(found.group(1))).query, keep_blank_values=True)
    return {name: values[-1] for name, values in query.items()}
