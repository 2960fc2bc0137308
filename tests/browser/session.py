"""Signing in through the login page, as every browser test starts."""

from __future__ import annotations

from tests.factories import PASSWORD


def log_in(tab, base_url: str, username: str) -> None:
    """Sign `username` in on `tab` (earlier cookies dropped) and wait for the page it lands on."""
    tab.context.clear_cookies()
    tab.goto(f"{base_url}/accounts/login/")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    with tab.expect_navigation():
        tab.locator("form:has(input[name=password]) [type=submit]").click()


def watch_errors(tab) -> list[str]:
    """The JavaScript errors `tab` raises from now on (the list fills as they happen)."""
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(f"{tab.url}: {error} {getattr(error, 'stack', '')}"))
    return errors


def pick(tab, select_id: str, search: str, choose: str | None = None, *, submits: bool = False) -> None:
    """Choose in a searchable picker (collab.forms.pickers: a Tom Select over `<select id=select_id>`): type
    `search`, wait for the server's matches and click the one whose text contains `choose` (or `search`).
    `submits`: the choice submits its form (data-autosubmit), so the page is left at once."""
    wrapper = tab.locator(f"#{select_id} + .ts-wrapper")
    wrapper.locator(".ts-control").click()
    typed = tab.locator(f"#{select_id}-ts-control")
    typed.fill("")
    typed.press_sequentially(search, delay=20)
    option = wrapper.locator(".ts-dropdown .option", has_text=choose or search).first
    option.click()
    if submits:
        return
    tab.wait_for_function(
        "([id, text]) => { const s = document.getElementById(id);"
        " return s.selectedIndex >= 0 && s.options[s.selectedIndex].text.includes(text); }",
        arg=[select_id, choose or search],
    )
