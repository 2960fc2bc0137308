"""Goals API: the decomposition tree's nodes, the nested tree of a period and the trace of a KPI.

`/api/v1/t/<slug>/goals/`                 list (filters: period, parent, root=yes, kpi, org_unit), create,
                                          retrieve, update/partial update (a changed `parent` moves the goal
                                          with its subtree), delete (`?subtree=yes` deletes a whole branch)
`POST goals/<id>/move/`                   {"parent": id | null, "weight"?, "lock_version"}
`GET  goals/tree/?period=<id>[&root=<goal>]`        the nested tree with progress, bands and sums
`GET  goals/trace/?period=<id>&kpi=<id>` (or `&goal=<id>`)  every contributing unit and position, the path
                                          and the effective weight to each, cross-department flags
`GET  goal-tree/children/?period=<id>[&scope=top|mine]` or `?parent=<goal>`  a page (`offset`, `limit`)
                                          of a sibling list: each goal with progress, children count, sum
`GET  goal-tree/search/?period=<id>&q=…`  a page of the goals matching q (unit, position, KPI), each with
                                          the goals above it. Both read as the tree page does: an employee
                                          reads their unit's part only.
`POST goals/reweight/`                    {"weights": {"<goal id>": weight, …}} (one sibling group)
`POST goals/publish/`                     {"period": id}: refused unless every sibling group sums to 100
`POST goals/copy/`                        {"source": id, "target": id}: last period's tree into an empty one

HR admins write; managers, committee members and auditors read. Every write goes through
`goals.services.tree` (atomic, audited, closed periods refused); its ValidationErrors come back as JSON
field errors. Foreign keys in bodies are TenantRelatedFields, so another tenant's parent, unit, KPI or
period reads exactly like a missing one; ids in query strings that are not the tenant's answer 404.

`bodies` (the goal serializer, query and request bodies), `shapes` (the tree and trace responses),
`viewset` (`GoalViewSet`), `branches` (`GoalBranchViewSet`).
"""
