"""Indexes in the order of the scorecard list and of the scores ranking, so both page by keyset
(collab.keyset): one index range a page, never a sort of the period's rows.

The ranking's index sorts totals `DESC NULLS LAST` as the list does; SQLite (tests, demo) does not take
NULLS LAST in an index definition, so there the index is created without it (the state is the model's)."""

from django.conf import settings
from django.db import migrations, models

RANK_COLUMNS = '"tenant_id", "period_id", "total" DESC{nulls}, "subject", "id"'


def create_rank_index(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        'CREATE INDEX "scoresnapshot_rank_idx" ON "interlock_scoresnapshot" (%s)'
        % RANK_COLUMNS.format(nulls=nulls)
    )


def drop_rank_index(apps, schema_editor):
    schema_editor.execute('DROP INDEX "scoresnapshot_rank_idx"')


class Migration(migrations.Migration):

    dependencies = [
        ("collab", "0009_keyset_list_indexes"),
        ("interlock", "0007_scored_periods"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="scorecard",
            index=models.Index(
                fields=["tenant", "period", "org_unit", "position", "id"], name="scorecard_list_idx"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="scoresnapshot",
                    index=models.Index(
                        models.F("tenant"),
                        models.F("period"),
                        models.OrderBy(models.F("total"), descending=True, nulls_last=True),
                        models.F("subject"),
                        models.F("id"),
                        name="scoresnapshot_rank_idx",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create_rank_index, drop_rank_index)],
        ),
    ]
