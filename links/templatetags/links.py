"""`{% links_panel ticket %}`: the "Linked tickets" panel of the staff ticket page."""

from django import template

from ..forms import ResolveChildrenForm
from ..models import LinkType
from ..selectors import links_for

register = template.Library()


def panel_context(ticket, user) -> dict:
    groups = links_for(ticket, user)
    return {
        "ticket": ticket,
        "link_groups": groups,
        "link_types": LinkType.choices,
        "has_children": any(group.type == LinkType.PARENT_OF for group in groups),
        "resolve_children_form": ResolveChildrenForm(auto_id="resolve_children_%s"),
    }


@register.inclusion_tag("links/includes/_links_panel.html", takes_context=True)
def links_panel(context, ticket):
    """Render the panel for the page's user; staff pages only (links are staff-only)."""
    request = context["request"]
    return {
        **panel_context(ticket, request.user),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
