"""Demo data of the goal cascade (目标穿透): strategy map, KPI library, decomposition tree, measurements.

`goals_build(ctx)` is the goals area's demo step (`DEMO_STEPS`, run by `collab.demo`). Everything is
written through the goals services (`objective_create`, `objective_link_create`, `kpi_create`,
`goal_create`, `period_tree_publish`, `measurements_bulk_upsert`) as the tenant's demo HR admin, so the
audit trail shows who built what.

The demo replays the year (`year_replayed`): the HR admin drew the map, built the library and the tree and
entered each month's numbers while those periods were still open. The services refuse writes to closed
periods, so this year's closed periods are opened for the replay and closed again right after, inside
the same transaction; nothing outside the build ever sees them open. Score recomputes the replay's
writes queued for those periods are dropped before they close again (each scoring step recomputes the
periods it scores itself, and a queued run would only be refused for a closed period).

Numbers: each KPI has a target and a "performance" (actual ÷ target for higher-is-better KPIs, target ÷
actual for lower-is-better ones); the months vary around it with a little noise and a slight upward trend,
so the year's scores spread over the green, amber and red bands. KPIs with no performance get no
measurement at all, so pages show "no data" rather than a made-up zero. The current month has targets but
no actuals yet (except for KPIs summed over months, whose quarter and year values would otherwise mix
a month without an actual into the target).

`plans` (what a tenant's goals look like), `mining` and `tech` (the two demo tenants' plans), `replay`
(reopening this year's closed periods for the build), `build` (the step, `DEMO_STEPS`), `scale` (seed_scale's
step, `SCALE_STEPS`).
"""

from goals.demo.build import DEMO_STEPS  # the registry (`collab.demo.steps.app_demo_steps`) reads these here
from goals.demo.scale import SCALE_STEPS

__all__ = ["DEMO_STEPS", "SCALE_STEPS"]
