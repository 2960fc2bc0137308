"""Room for the recompute's in-place updates of the collaboration view's rows (PostgreSQL only; see
docs/ARCHITECTURE.md, "Recompute writes").

A full recompute brings the period's `UnitKpiLines` (one row per unit and KPI: 182,000 in the benchmark) to
what it computed, updating only the rows whose numbers changed — after measurements move, a quarter of them
or more. No indexed column changes (the keys stay), so an update can be HOT — the new version in the same
page, no new index entry — when the page has room: fillfactor 50 leaves half of each page free, enough for
every row of a page to change in one recompute (the previous recompute's old versions are pruned from the
page when it is next read). Measured on the benchmark's period: all ~42,000 updates HOT at 50, about 60 % at
70 and almost none at 100 (full pages), and the recompute's merge of these rows ~2× faster than at 100. The
table is about twice the size (20 → 40 MB in the benchmark); the pages read it by index.

The same autovacuum settings as the snapshots and matrix results (migration 0011): vacuum after 2 % + 1,000
dead rows, analyse after 5 %. A fillfactor applies to pages written from now on (VACUUM FULL rewrites a
table at once).
"""

from django.db import migrations

TABLE = "interlock_unitkpilines"
SETTINGS = (
    "fillfactor = 50, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000, "
    "autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_insert_scale_factor = 0.05"
)
RESET = (
    "fillfactor, autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, "
    "autovacuum_analyze_scale_factor, autovacuum_vacuum_insert_scale_factor"
)


def set_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(TABLE)} SET ({SETTINGS})")


def reset_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(TABLE)} RESET ({RESET})")


class Migration(migrations.Migration):
    dependencies = [
        ("interlock", "0011_snapshot_digest_autovacuum"),
    ]

    operations = [migrations.RunPython(set_storage, reset_storage)]
