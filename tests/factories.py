"""factory_boy factories. Tickets are put in a state through the actions, never by fields."""

import factory

from accounts.actions import create_user
from accounts.models import Role, Team
from tickets import actions
from tickets.models import Category, Item, Priority, TicketType


class UserFactory(factory.Factory):
    class Meta:
        model = dict

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.CUSTOMER
    password = "pass-word-123"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return create_user(**kwargs)

    _build = _create


def make_user(role=Role.CUSTOMER, **kwargs):
    return UserFactory(role=role, **kwargs)


def make_staff(**kwargs):
    return UserFactory(role=Role.STAFF, **kwargs)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketType

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Type {n}")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    type = factory.SubFactory(TicketTypeFactory)
    name = factory.Sequence(lambda n: f"Item {n}")


def priority(name="Normal") -> Priority:
    return Priority.objects.get(name=name)


def make_ticket(
    requester,
    category=None,
    *,
    actor=None,
    subject="Printer is on fire",
    description="It *smokes*.",
    **kwargs,
):
    """Create a ticket through the create action (as the requester unless `actor` is staff)."""
    category = category or CategoryFactory()
    if actor is not None and actor != requester:
        kwargs["requester"] = requester
    return actions.create_ticket(
        actor=actor or requester,
        subject=subject,
        description=description,
        category=category,
        **kwargs,
    )
