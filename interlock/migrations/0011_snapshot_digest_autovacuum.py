"""ScoreSnapshot.digest (what the recompute compares to write only what changed) and the autovacuum
settings of the two tables the recompute updates in place (PostgreSQL only; see docs/ARCHITECTURE.md,
"Recompute writes").

- Snapshots: an UPDATE moves `version`, which the unique index holds, so no update is HOT: each changed row
  leaves one dead heap tuple and dead index entries. Autovacuum's default (vacuum after 20 % of the table
  plus 50 rows are dead) would let a tenant with many periods pile up dead rows behind one hot period; we
  vacuum after 2 % + 1,000, analyse after 5 %, and vacuum insert-mostly growth after 5 % (keeps the
  visibility map fresh for index-only scans).
- Matrix results: the same thresholds, and fillfactor 85 so that their updates (no indexed column
  changes) can stay HOT, in the page, without new index entries.
"""

from django.db import migrations, models

SETTINGS = {
    "interlock_scoresnapshot": (
        "autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000, "
        "autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_insert_scale_factor = 0.05"
    ),
    "interlock_matrixrowresult": (
        "fillfactor = 85, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000, "
        "autovacuum_analyze_scale_factor = 0.05, autovacuum_vacuum_insert_scale_factor = 0.05"
    ),
}
RESET = (
    "autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor, "
    "autovacuum_vacuum_insert_scale_factor"
)


def set_autovacuum(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, settings in SETTINGS.items():
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} SET ({settings})")


def reset_autovacuum(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SETTINGS:
        extra = ", fillfactor" if table == "interlock_matrixrowresult" else ""
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} RESET ({RESET}{extra})")


class Migration(migrations.Migration):
    dependencies = [
        ("interlock", "0010_scorecard_list_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="scoresnapshot",
            name="digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        migrations.RunPython(set_autovacuum, reset_autovacuum),
    ]
