"""PostgreSQL row-level security: the database's own wall behind the fail-closed managers.

Every concrete subclass of `collab.tenancy.TenantOwned`, in every app (including apps added later),
gets `ENABLE` + `FORCE ROW LEVEL SECURITY` and one policy, `tenant_isolation`, that admits a row only
when its `tenant_id` equals the scope `collab.tenancy` mirrors into the session with `set_config`
. Without a setting, no rows; no setting the application can make lifts the policy.

The application connects as a role that does not own the tables (`DATABASE_APP_ROLE`, default
`collab_app`): it gets DML grants only. Owners and superusers bypass RLS unless forced; FORCE makes
the policy bind the owner too, and only superusers / BYPASSRLS roles escape it, which is why the
app must never connect as one of those.

What spans tenants (`collab.tenancy.all_tenants`: the tenant picker, accepting an invitation, the
admin's audit log) reads through another role, `DATABASE_PLATFORM_ROLE` (default `collab_platform`),
on a connection of its own (`collab.db_router`): a second policy, `platform_access`, admits every
row to that role only. The app role is never made a member of it, so it cannot `SET ROLE` to it.

Foreign keys between tenant tables are composite as well: Django's `FOREIGN KEY (parent_id)` alone
lets a row point at another tenant's row (the referential check ignores RLS), so every such key gets
a `FOREIGN KEY (tenant_id, parent_id) REFERENCES target (tenant_id, id)` beside it, backed by a
`UNIQUE (tenant_id, id)` on the target.

`apply_row_level_security()` is idempotent and runs after every `migrate` (see `collab.signals`);
on SQLite and other back ends it does nothing.

A module a job: `tables` (which tables), `roles` (the roles and their grants), `policies` (the tenant
policies and `apply_row_level_security`), `keys` (the composite foreign keys).
"""
