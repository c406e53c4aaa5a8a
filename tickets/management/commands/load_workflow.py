from django.core.management.base import BaseCommand, CommandError

from tickets.errors import ActionRefused
from tickets.workflows import PRESETS, load_workflow


class Command(BaseCommand):
    help = "Load a workflow preset (statuses and reply rules) into the desk."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(PRESETS))

    def handle(self, name, **options):
        try:
            statuses = load_workflow(name)
        except ActionRefused as exc:
            raise CommandError(exc.reason)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the '{name}' workflow: " + ", ".join(s.name for s in statuses))
        )
