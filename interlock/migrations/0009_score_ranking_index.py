"""The ranking's index: a period's snapshots best total first, no total last (`interlock.selectors.dashboards.
ranking`), so a page of the ranking is read from the index instead of sorting and ranking the whole period.

In SQL rather than in the model's `Meta.indexes`: the order needs NULLS LAST on PostgreSQL, which SQLite
refuses in an index (SQLite's DESC already puts NULLs last)."""

from django.db import migrations

INDEX = "scoresnapshot_ranking_idx"


def create(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f'CREATE INDEX "{INDEX}" ON "interlock_scoresnapshot" '  # noqa: S608 (constant identifiers)
        f'("tenant_id", "period_id", "total" DESC{nulls}, "subject")'
    )


def drop(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("interlock", "0008_unit_kpi_lines")]

    operations = [migrations.RunPython(create, drop)]
