"""What the apps show on a member's home page (an employee's and a manager's): each app registers a panel
provider from its `AppConfig.ready()`, so the platform's home view shows every app's panel without
importing the apps. A provider takes the member's employee record and returns the panel's template
context value, under the panel's name (the home templates read it by that name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from collab.models import Employee

HomePanel = Callable[[Employee], Any]

_panels: dict[str, HomePanel] = {}


def home_panel_register(name: str, provider: HomePanel) -> None:
    _panels[name] = provider


def home_panels(employee: Employee) -> dict[str, Any]:
    """{panel name: what its provider gives for `employee`}, in registration (app layer) order."""
    return {name: provider(employee) for name, provider in _panels.items()}
