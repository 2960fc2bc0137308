"""Tenant scoping that fails closed.

The current tenant lives in a ContextVar. Requests set it in `TenantMiddleware` (pages) or in
`collab.routing.viewsets.TenantViewSet` (API); Celery tasks set it through `collab.tasks.tenant_task`.
Every tenant-owned model's default manager refuses to query when no tenant is in scope, so a
forgotten scope is an exception, never another tenant's rows.

`all_tenants()` is the escape hatch. It is loud on purpose: every use carries a reason. On
PostgreSQL the ORM queries made inside it go to another connection, which runs as the platform role
(`collab.db_router`); nothing sent on the application's own connection can open that wall.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Value
from django.utils.translation import gettext_lazy
from simple_history.manager import HistoryManager

if TYPE_CHECKING:
    from collab.models import Tenant

logger = logging.getLogger(__name__)

_current_tenant: ContextVar[Tenant | None] = ContextVar("collab_current_tenant", default=None)
_all_tenants: ContextVar[bool] = ContextVar("collab_all_tenants", default=False)


class TenantScopeMissing(RuntimeError):
    """A tenant-owned model was queried with no tenant in scope."""


def current_tenant() -> Tenant:
    tenant = _current_tenant.get()
    if tenant is None:
        raise TenantScopeMissing("No tenant in scope: open tenant_scope(tenant) first.")
    return tenant


def current_tenant_or_none() -> Tenant | None:
    return _current_tenant.get()


def all_tenants_open() -> bool:
    """True inside `all_tenants()` (and not inside a `tenant_scope()` opened within it)."""
    return _all_tenants.get()


def _set_database_scope(tenant_id: int | None) -> None:
    """Mirror the scope into the PostgreSQL session so RLS policies agree with the ORM."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, false)", ["" if tenant_id is None else str(tenant_id)]
        )


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[Tenant]:
    if tenant is None or tenant.pk is None:
        raise TenantScopeMissing("tenant_scope needs a saved tenant.")
    previous = (_current_tenant.get(), _all_tenants.get())
    tenant_token = _current_tenant.set(tenant)
    everything_token = _all_tenants.set(False)
    _set_database_scope(tenant.pk)
    try:
        yield tenant
    finally:
        _current_tenant.reset(tenant_token)
        _all_tenants.reset(everything_token)
        _set_database_scope(previous[0].pk if previous[0] else None)


@contextmanager
def all_tenants(reason: str) -> Iterator[None]:
    """ESCAPE HATCH: query every tenant's rows. Give the reason; it is logged at debug level.

    On PostgreSQL the ORM queries inside go to the `platform` connection (`collab.db_router`), a
    connection and a transaction of their own: they do not see what the caller's open transaction on
    `default` has not committed yet, and a `transaction.atomic()` or `select_for_update()` meant for them
    names `using=collab.db_router.platform_alias()`. Keep writes here rare: write a tenant's rows in its
    own `tenant_scope()`. Raw SQL on `django.db.connection` stays on the app's connection and sees nothing.
    """
    if not reason:
        raise ValueError("all_tenants() needs a reason.")
    logger.debug("all_tenants scope opened: %s", reason)
    token = _all_tenants.set(True)
    try:
        yield
    finally:
        _all_tenants.reset(token)


class TenantManager(models.Manager):
    """Default manager of tenant-owned models: filters by the scoped tenant or raises."""

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        if _all_tenants.get():
            return queryset
        tenant = _current_tenant.get()
        if tenant is None:
            raise TenantScopeMissing(f"{self.model.__name__} queried with no tenant in scope.")
        return queryset.filter(tenant_id=tenant.pk)

    def bulk_create(self, objs, *args, **kwargs):
        """The one way to insert many rows: each gets the scoped tenant (another tenant's row is refused) and
        its foreign keys are checked to stay in that tenant (one query per foreign key, not per row)."""
        objs = list(objs)
        if objs:
            tenant_id = _owning_tenant_id(objs)
            for obj in objs:
                obj.tenant_id = tenant_id
            check_same_tenant(objs, tenant_id)
        return super().bulk_create(objs, *args, **kwargs)


def _owning_tenant_id(objs: Sequence[models.Model]) -> int:
    scoped = _current_tenant.get()
    if scoped is None and not _all_tenants.get():
        raise TenantScopeMissing(f"{type(objs[0]).__name__} written with no tenant in scope.")
    ids = {obj.tenant_id for obj in objs if obj.tenant_id is not None}
    if scoped is not None:
        if ids - {scoped.pk} and not _all_tenants.get():
            raise TenantScopeMissing(
                f"Refusing to write {type(objs[0]).__name__} of another tenant in tenant {scoped.pk}."
            )
        ids.add(scoped.pk)
    if len(ids) != 1:
        raise TenantScopeMissing(f"{type(objs[0]).__name__} rows of no single tenant.")
    return ids.pop()


@functools.cache
def _tenant_foreign_keys(model: type[models.Model]) -> tuple[models.ForeignKey, ...]:
    """The model's foreign keys to tenant-owned tables that the database enforces (history tables and
    snapshot keys without a constraint point at rows that may be gone, and are written by their owners)."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.many_to_one
        and field.name != "tenant"
        and field.db_constraint
        and issubclass(field.related_model, TenantOwned)
    )


CHECK_CHUNK = 5000  # ids per look-up: within every database's limit of query parameters
NOT_YOURS = gettext_lazy("Select a valid choice. That choice is not one of the available choices.")


def check_same_tenant(objs: Sequence[models.Model], tenant_id: int) -> None:
    """Refuse rows whose foreign keys point into another tenant: a `ValidationError` on the field, worded
    like a choice that does not exist. A related row already loaded is read without a query, and so is a
    key a row still holds as it was loaded from the database (`TenantOwned.from_db`); the others cost one
    query for all the foreign keys and rows together (per `CHECK_CHUNK` ids). The last wall behind scoped
    querysets, for code that builds instances by hand (and, on PostgreSQL, behind row-level security)."""
    errors: dict[str, list] = {}
    pending: list[tuple[models.ForeignKey, set]] = []
    for field in _tenant_foreign_keys(type(objs[0])):
        unchecked = set()
        for obj in objs:
            value = getattr(obj, field.attname)
            if value is None:
                continue
            if field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None and related.tenant_id != tenant_id:
                    errors[field.name] = [NOT_YOURS]
            elif _loaded_keys(obj).get(field.attname, _NOT_LOADED) != value or obj.tenant_id != getattr(
                obj, "_tenant_loaded", None
            ):
                unchecked.add(value)
        if isinstance(objs[0], field.related_model):  # a tree inserted in one go: parents in the same batch
            unchecked -= {getattr(obj, field.target_field.attname) for obj in objs}
        if unchecked and field.name not in errors:
            pending.append((field, unchecked))
    looked_up = [(field, value) for field, values in pending for value in values]
    for start in range(0, len(looked_up), CHECK_CHUNK):
        chunk = looked_up[start : start + CHECK_CHUNK]
        found = _found_in_tenant(chunk, tenant_id)
        for field, value in chunk:
            if (field.name, field.target_field.to_python(value)) not in found:
                errors[field.name] = [NOT_YOURS]
    if errors:
        raise ValidationError(errors)


def _found_in_tenant(
    keys: Sequence[tuple[models.ForeignKey, object]], tenant_id: int
) -> set[tuple[str, object]]:
    """Which of the (foreign key, value) pairs name a row of the tenant: one query (a UNION ALL of one
    branch per foreign key) per type of key, however many keys and tables (a UUID key and an integer key
    cannot share a UNION column: PostgreSQL refuses it, SQLite converts one as the other)."""
    by_field: dict[models.ForeignKey, list] = {}
    for field, value in keys:
        by_field.setdefault(field, []).append(value)
    by_type: dict[str, list] = {}
    for field, values in by_field.items():
        branch = (
            field.related_model._base_manager.filter(
                **{f"{field.target_field.attname}__in": values, "tenant_id": tenant_id}
            )
            .order_by()
            .annotate(_key=Value(field.name, output_field=models.CharField()))
            .values_list("_key", field.target_field.attname)
        )
        by_type.setdefault(field.target_field.get_internal_type(), []).append(branch)
    found: set[tuple[str, object]] = set()
    for branches in by_type.values():
        query = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
        found.update((name, value) for name, value in query)
    return found


_NOT_LOADED = object()


def _loaded_keys(obj: models.Model) -> dict[str, object]:
    return getattr(obj, "_tenant_keys_loaded", {})


def _remember_keys(obj: models.Model, update_fields=None) -> None:
    """Note the tenant and foreign key values the row holds in the database now (after a save with
    `update_fields`, only those were written): a later save that keeps them needs no look-up."""
    obj._tenant_loaded = obj.__dict__.get("tenant_id")  # a deferred field is not loaded for this
    obj._tenant_keys_loaded = {
        **_loaded_keys(obj),
        **{
            field.attname: obj.__dict__[field.attname]
            for field in _tenant_foreign_keys(type(obj))
            if field.attname in obj.__dict__
            and (update_fields is None or field.name in update_fields or field.attname in update_fields)
        },
    }


class TenantOwned(models.Model):
    """Base of every tenant-owned table: a non-null tenant and a fail-closed default manager."""

    tenant = models.ForeignKey("collab.Tenant", on_delete=models.CASCADE, related_name="+", editable=False)

    objects = TenantManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        scoped = _current_tenant.get()
        if self.tenant_id is None:
            self.tenant = current_tenant()
        elif scoped is not None and scoped.pk != self.tenant_id and not _all_tenants.get():
            raise TenantScopeMissing(
                f"Refusing to save {type(self).__name__} of tenant {self.tenant_id} in tenant {scoped.pk}."
            )
        update_fields = kwargs.get("update_fields")
        if update_fields is None or any(
            field.name in update_fields or field.attname in update_fields
            for field in _tenant_foreign_keys(type(self))
        ):
            check_same_tenant([self], self.tenant_id)
        super().save(*args, **kwargs)
        _remember_keys(self, update_fields)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        _remember_keys(instance)
        return instance


class TenantHistoryManager(HistoryManager):
    """`Model.history` (django-simple-history): fail-closed like TenantManager (only the scoped tenant's
    history rows). Declare it as `HistoricalRecords(bases=[TenantHistoryBase], history_manager=…)`."""

    def get_super_queryset(self):
        queryset = super().get_super_queryset()
        if _all_tenants.get():
            return queryset
        return queryset.filter(tenant_id=current_tenant().pk)


class TenantHistoryBase(TenantOwned):
    """Base of historical tables: tenant-owned too, so their default manager fails closed and the
    PostgreSQL row-level-security policy (applied to every TenantOwned table) covers them."""

    class Meta:
        abstract = True


def tenant_cache_key(*parts: object) -> str:
    """A cache key that carries the scoped tenant, so cached values never cross tenants."""
    return ":".join(["t", str(current_tenant().pk), *map(str, parts)])
