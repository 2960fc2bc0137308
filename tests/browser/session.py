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
