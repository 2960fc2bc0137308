"""Organisation API, registered on collab.api.router (under /api/v1/t/<slug>/): a module a resource
(`units`, `positions`, `employees`, `directory`, `periods`; `shared`: filters and the writes' mixin).

`org-units/`  list (filters: q, kind, parent=<id>, root=yes, under=<id>), create, retrieve, update (code,
              name, kind; a changed `parent` moves it with its subtree, never under itself or a descendant),
              delete (refused while it has sub-units, positions or employees)
`positions/`  list (filters: q, org_unit=<id>, under=<id>), create, retrieve, update, delete
`employees/`  list (filters: q, org_unit=<id>, under=<id>, manager=<id>, active=yes|no), create, retrieve,
              update, delete — HR admins and auditors read (e-mails, numbers, accounts), as on the page
`directory/`  list (filters: q, org_unit=<id>, under=<id>): every member reads active people by name, unit
              and position, as on the People page
`periods/`    list (filters: status, kind, year), create (in planning), retrieve, update and delete (planning
              only), `POST periods/<id>/advance/` ({"to_status": …} optional) moves it one step on

Every member reads (employees: HR admins and auditors); HR admins write (auditors never). Writes go
through `collab.services.org`; their ValidationErrors come back as JSON field errors. Foreign keys in
bodies are TenantRelatedFields: another tenant's id reads exactly like a missing one. A change (update,
move) needs the `lock_version` it was based on: missing 400, stale 409 saying who saved last and when.
"""

