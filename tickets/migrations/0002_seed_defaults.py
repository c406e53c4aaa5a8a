from django.db import migrations

PRIORITIES = [("Low", 10, "#6c757d", False), ("Normal", 20, "#0d6efd", True),
              ("High", 30, "#fd7e14", False), ("Emergency", 40, "#dc3545", False)]


def seed(apps, schema_editor):
    from tickets.workflows import load_workflow

    Status = apps.get_model("tickets", "Status")
    Priority = apps.get_model("tickets", "Priority")
    HelpdeskSettings = apps.get_model("tickets", "HelpdeskSettings")
    Ticket = apps.get_model("tickets", "Ticket")
    for name, rank, color, default in PRIORITIES:
        Priority.objects.get_or_create(name=name, defaults={"rank": rank, "color": color, "is_default": default})
    HelpdeskSettings.objects.get_or_create(pk=1)
    if not Status.objects.exists():
        load_workflow("default", Status=Status, HelpdeskSettings=HelpdeskSettings, Ticket=Ticket)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
