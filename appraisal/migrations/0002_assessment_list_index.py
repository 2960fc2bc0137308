"""The assessment part's list of a cycle's appraisals in keyset order (tenant, cycle, id)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_appraisal")]

    operations = [
        migrations.AddIndex(
            model_name="appraisal",
            index=models.Index(fields=["tenant", "cycle", "id"], name="appraisal_cycle_list_idx"),
        ),
    ]
