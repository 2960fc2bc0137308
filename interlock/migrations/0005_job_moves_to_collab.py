# Job becomes a platform model (collab.Job): its table is renamed, not copied, so rows, ids, constraints,
# the row-level-security policy and the grants stay as they are (a copy would also read the table under
# FORCE ROW LEVEL SECURITY, where a non-superuser owner sees no rows). collab 0003 takes over the state.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('interlock', '0004_job_skipped_status'),
        ('collab', '0002_period_unique_on_every_database'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name='job', table='collab_job')],
            state_operations=[migrations.DeleteModel(name='job')],
        ),
    ]
