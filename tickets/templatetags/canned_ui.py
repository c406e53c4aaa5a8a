"""The canned-reply picker of the staff reply box."""

from django import template

from ..canned import list_canned_replies_for_user

register = template.Library()


@register.simple_tag
def canned_replies_for(user) -> list:
    """The user's own canned replies and the shared ones (one query)."""
    return list(list_canned_replies_for_user(user))
