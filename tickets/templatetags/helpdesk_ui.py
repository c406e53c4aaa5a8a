"""Presentation helpers for the server-rendered pages: Bootstrap widgets and history values."""

from datetime import date

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

register = template.Library()


def _widget_class(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return ""
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.filter
def bs_widget(field):
    """Render a bound field's widget with Bootstrap classes and its errors wired for screen readers."""
    classes = [_widget_class(field.field.widget), field.field.widget.attrs.get("class", "")]
    attrs = {}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        classes.append("is-invalid")
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    attrs["class"] = " ".join(c for c in classes if c)
    if isinstance(field.field.widget, forms.Select):
        return _select(field, attrs)
    return field.as_widget(attrs=attrs)


def _select(field, attrs: dict) -> str:
    """A <select> as Django's template would render it, built in Python.

    Django renders each <option> through a template of its own, after building a dict of
    attributes per option: a ticket page's menus (statuses, priorities, staff, categories...)
    cost more than the rest of the page. The choice of the selected options is Django's own
    (`ChoiceWidget.optgroups`): the first match only, unless the menu takes several.
    """
    widget = field.field.widget
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    final_attrs = widget.build_attrs(widget.attrs, attrs)
    if widget.allow_multiple_selected:
        final_attrs["multiple"] = True
    chosen = widget.format_value(field.value())
    taken = False

    def options(pairs):
        nonlocal taken
        for value, label in pairs:
            selected = (not taken or widget.allow_multiple_selected) and str(value) in chosen
            taken |= selected
            yield value, flatatt({"selected": True}) if selected else "", label

    groups = []
    for value, label in widget.choices:
        value = "" if value is None else value
        if isinstance(label, list | tuple):
            rendered = format_html_join("", '<option value="{}"{}>{}</option>', options(label))
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', value, rendered))
        else:
            groups.append(format_html_join("", '<option value="{}"{}>{}</option>', options([(value, label)])))
    return format_html(
        '<select name="{}"{}>{}</select>',
        field.html_name,
        flatatt(final_attrs),
        format_html_join("", "{}", ((g,) for g in groups)),
    )


@register.filter(expects_localtime=True)
def iso(value) -> str:
    """A date or time for a <time datetime="...">: what `|date:'c'` gives, without formatting
    through Django's format strings (a ticket page shows some fifty)."""
    return value.isoformat() if isinstance(value, date) else ""


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def event_value(value) -> str:
    """Show one side of a history row (a name, a list, a text) as a short readable string."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        if "name" in value:
            return str(value["name"])
        if "body" in value:
            body = str(value["body"])
            return body if len(body) <= 120 else body[:119] + "…"
        if "status" in value:
            return str(value["status"])
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


@register.filter
def event_label(action: str) -> str:
    return str(action).replace("_", " ").capitalize()
