"""Which tables row-level security covers: every concrete subclass of `collab.tenancy.TenantOwned`."""

from __future__ import annotations

from django.apps import apps as global_apps

from collab.tenancy import TenantOwned


def tenant_owned_models(app_registry=global_apps) -> list[type]:
    """Every concrete, managed model that inherits TenantOwned, in every installed app."""
    found = []
    for model in app_registry.get_models():
        meta = model._meta
        if meta.abstract or meta.proxy or not meta.managed:
            continue
        if issubclass(model, TenantOwned):
            found.append(model)
    return sorted(found, key=lambda m: m._meta.db_table)


def tenant_tables(app_registry=global_apps) -> list[str]:
    return [model._meta.db_table for model in tenant_owned_models(app_registry)]


def quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)
