"""Extension points: a lower layer declares a `Hook`, upper apps register providers on it from their
`AppConfig.ready()`, and the lower layer calls them without importing a single upper app (the home page's
panels, a matrix page's sections, …). Providers run in registration order: INSTALLED_APPS, the layer order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    def __init__(self) -> None:
        self.providers: dict[str, Callable[..., Any]] = {}

    def register(self, name: str, provider: Callable[..., Any]) -> None:
        self.providers[name] = provider

    def collect(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """{name: what its provider gives for these arguments}."""
        return {name: provider(*args, **kwargs) for name, provider in self.providers.items()}
