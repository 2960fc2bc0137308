"""Demo and benchmark data: the two demo tenants (`seed_demo`) and tenants of any size (`seed_scale`).

The demo is built by area, one function per area, each taking the `DemoContext` of one tenant:

    org_build → people_build → logins_build → periods_build → history_build       (here: `STEPS`)
    → goals_build → matrices_build → scorecards_build           (goals/, responsibility/, interlock/demo.py)

Each app brings its own steps in `<app>/demo.py` (a `DEMO_STEPS` list), found by `app_demo_steps()`;
`ctx` hands them the units, positions, employees, logins and periods by key, and what lower apps built.

The org steps write straight through the models with bulk inserts (paths computed in Python from the
ids bulk_create returns), inside `tenant_scope(tenant)`, so a tenant's organisation takes a fraction of a
second. The goals, responsibility and interlock steps go through their areas' services as the tenant's
HR admin (audited like a person's work); together they take a few seconds.

seed_scale (`scale.scale_build`) builds a tenant of any size the same way: the platform writes the units,
positions, employees, periods and two logins (HR admin, a manager), then runs every app's `SCALE_STEPS`
(`app_demo_steps("SCALE_STEPS")`: KPIs, strategy map, the published goal tree and measurements in goals;
matrices in responsibility; unit and position scorecards and a score recompute in interlock) on a
`ScaleContext`, in the build's transaction. Those steps write with bulk inserts, not through the services
(100,000 employees in minutes on PostgreSQL); the proportions are `ScaleSizes` (issue 9's group).

`plans` (what a demo tenant looks like), `mining` and `tech` (the two tenants), `names`, `bulk` (bulk
building blocks shared with seed_scale), `steps` (the platform's steps and the registry of the apps'),
`running` (building the demo and listing its logins), `scale` (seed_scale).
"""
