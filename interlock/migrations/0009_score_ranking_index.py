"""The ranking's index: a period's snapshots best total first, no total last, then subject and id — the order
of the ranking and of the scores list, so both page by keyset (collab.keyset): a page is an index range,
never a sort or a rank of the whole period.

The order needs NULLS LAST on PostgreSQL, which SQLite refuses in an index definition (SQLite's DESC already
puts NULLs last), so the database operation is SQL, and the model's state declares the index without it:
SQLite rebuilds a table (and its indexes, from the state) on many schema changes."""

from django.db import migrations, models

COLUMNS = '"tenant_id", "period_id", "total" DESC{nulls}, "subject", "id"'


def create(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        'CREATE INDEX "scoresnapshot_rank_idx" ON "interlock_scoresnapshot" (%s)' % COLUMNS.format(nulls=nulls)
    )


def drop(apps, schema_editor):
    schema_editor.execute('DROP INDEX IF EXISTS "scoresnapshot_rank_idx"')


class Migration(migrations.Migration):
    dependencies = [("interlock", "0008_unit_kpi_lines")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="scoresnapshot",
                    index=models.Index(
                        models.F("tenant"),
                        models.F("period"),
                        models.OrderBy(models.F("total"), descending=True),
                        models.F("subject"),
                        models.F("id"),
                        name="scoresnapshot_rank_idx",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
