"""An index in the order of the scorecard list, so it pages by keyset (collab.keyset): one index range a
page, never a sort of the period's scorecards."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collab", "0009_keyset_list_indexes"),
        ("interlock", "0009_score_ranking_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="scorecard",
            index=models.Index(
                fields=["tenant", "period", "org_unit", "position", "id"], name="scorecard_list_idx"
            ),
        ),
    ]
