"""Input and output shapes of the links API (API.md)."""

from rest_framework import serializers

from tickets.models import Status, Ticket

from .models import LinkType, TicketLink


class LinkStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Status
        fields = ("id", "name", "kind")


class LinkedTicketSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(read_only=True)
    status = LinkStatusSerializer(read_only=True)

    class Meta:
        model = Ticket
        fields = ("id", "number", "subject", "status")


class TicketLinkSerializer(serializers.ModelSerializer):
    """One link as seen from its source: the type and the ticket at the other end."""

    type = serializers.ChoiceField(choices=LinkType.choices)
    ticket = LinkedTicketSerializer(source="target")

    class Meta:
        model = TicketLink
        fields = ("type", "ticket")


class LinkCreateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=LinkType.choices)
    target = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The other ticket's id.")


class ResolveChildrenSerializer(serializers.Serializer):
    resolution_notes = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=100_000,
        help_text="Empty: the parent's.",
    )


class ResolveChildrenResultSerializer(serializers.Serializer):
    resolved = serializers.IntegerField(help_text="How many children were resolved.")
