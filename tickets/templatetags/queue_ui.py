"""The queue page's select lists: rendered in Python, as they hold a few hundred options."""

from django import template
from django.utils.html import format_html_join

register = template.Library()
SELECTED = " selected"  # escaping leaves it as it is


@register.simple_tag
def select_options(options) -> str:
    """`<option>` elements for `[{"value", "label", "selected"}]`, values and labels escaped."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((o["value"], SELECTED if o.get("selected") else "", o["label"]) for o in options),
    )
