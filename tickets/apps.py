from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"

    def ready(self):
        from . import automation  # noqa: F401  (forgets the cached rule events when a rule changes)
