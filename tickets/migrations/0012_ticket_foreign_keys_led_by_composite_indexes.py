"""The ticket's foreign keys to requester, assignee, team, status and priority lose their own
index: each leads a (column, -updated_at) index that serves the same lookups. Only the indexes
are dropped: Django's AlterField would also drop and re-validate the five constraints, scanning
a million tickets five times.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_staff_index"),
        ("tickets", "0011_dashboard_indexes_filter_columns"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_tickets",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="priority",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tickets.priority",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="requester",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requested_tickets",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="status",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tickets.status",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tickets",
                        to="accounts.team",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tickets_ticket_assignee_id_3a5aa407"',
                    reverse_sql='CREATE INDEX "tickets_ticket_assignee_id_3a5aa407" ON "tickets_ticket" ("assignee_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tickets_ticket_priority_id_f3f0911d"',
                    reverse_sql='CREATE INDEX "tickets_ticket_priority_id_f3f0911d" ON "tickets_ticket" ("priority_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tickets_ticket_requester_id_2072a2f2"',
                    reverse_sql='CREATE INDEX "tickets_ticket_requester_id_2072a2f2" ON "tickets_ticket" ("requester_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tickets_ticket_status_id_e7d9f42f"',
                    reverse_sql='CREATE INDEX "tickets_ticket_status_id_e7d9f42f" ON "tickets_ticket" ("status_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tickets_ticket_team_id_5a4e7469"',
                    reverse_sql='CREATE INDEX "tickets_ticket_team_id_5a4e7469" ON "tickets_ticket" ("team_id")',
                ),
            ],
        )
    ]
