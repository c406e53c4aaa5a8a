from django.db import migrations

# The GIN index exists on PostgreSQL only: SQLite (make run) searches with icontains.
CREATE = "CREATE INDEX IF NOT EXISTS ticket_search_gin ON tickets_ticket USING gin (search_vector)"
DROP = "DROP INDEX IF EXISTS ticket_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_sla_search_views_guests_mail")]
    operations = [migrations.RunPython(create, drop)]
