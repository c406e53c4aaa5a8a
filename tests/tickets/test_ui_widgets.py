"""The Bootstrap widget filter: menus built in Python say exactly what Django's templates say."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.db.models import QuerySet

from tickets.forms import AssignForm, StatusForm
from tickets.templatetags.helpdesk_ui import bs_widget


class Tree(HTMLParser):
    """Each element's tag and attributes (in any order) and the text inside, as comparable data."""

    def __init__(self, html: str):
        super().__init__()
        self.items: list = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, sorted(attrs, key=lambda pair: pair[0])))

    def handle_endtag(self, tag):
        self.items.append(("/", tag))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data.strip()))


def django_rendering(field) -> list:
    """Django's own rendering, given the attributes bs_widget adds."""
    attrs = {"class": "form-select"}
    if field.errors:
        attrs = {"class": "form-select is-invalid", "aria-invalid": "true"}
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    return Tree(field.as_widget(attrs=attrs)).items


class Menus(forms.Form):
    fruit = forms.ChoiceField(
        choices=[("", "Pick one"), ("Sweet", [("a", "Apple & <pear>"), ("b", 'Banana "B"')]), ("c", "Cherry")]
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    yes_no = forms.NullBooleanField(required=False)


@pytest.mark.parametrize(
    "form",
    [
        lambda people: AssignForm(auto_id="assign_%s", initial={"assignee": people.bob.pk}),
        lambda people: StatusForm(auto_id="status_%s"),
        lambda people: Menus(initial={"fruit": "b", "many": ["x", "y"], "yes_no": True}),
        lambda people: Menus(data={"fruit": "zzz"}),  # bound, with errors: aria-invalid
    ],
    ids=["staff and teams", "statuses", "groups, escaping, multiple, yes/no", "with errors"],
)
def test_a_menu_says_what_djangos_template_says(people, form):
    form = form(people)
    form.is_valid()
    for field in form:
        if not isinstance(field.field.widget, forms.Select):
            continue
        assert Tree(str(bs_widget(field))).items == django_rendering(field), field.name


def test_option_text_and_values_are_escaped(db):
    html = str(bs_widget(Menus(initial={"fruit": "b"})["fruit"]))
    assert "Apple &amp; &lt;pear&gt;" in html and "Banana &quot;B&quot;" in html
    assert '<option value="b" selected>' in html


def test_a_model_menu_reads_its_rows_in_one_plain_query(people, monkeypatch, django_assert_num_queries):
    # QuerySet.iterator() is a server-side cursor on PostgreSQL: three round trips per menu.
    def no_cursor(*args, **kwargs):
        raise AssertionError("a menu iterated its rows with QuerySet.iterator()")

    monkeypatch.setattr(QuerySet, "iterator", no_cursor)
    form = AssignForm(auto_id="assign_%s", initial={"assignee": people.bob.pk})
    with django_assert_num_queries(1):
        html = str(bs_widget(form["assignee"]))
    assert f'<option value="{people.bob.pk}" selected>' in html


@pytest.mark.parametrize("tz", ["UTC", "Europe/Berlin", "America/Sao_Paulo"])
def test_iso_says_what_date_c_says_in_the_current_time_zone(tz):
    from datetime import UTC, date, datetime

    from django.template import engines
    from django.utils import timezone

    pair = engines["django"].from_string("{% load helpdesk_ui %}{{ v|iso }}|{{ v|date:'c' }}")
    with timezone.override(tz):
        for value in (datetime(2026, 3, 29, 1, 30, 5, 123456, tzinfo=UTC), date(2026, 1, 2)):
            ours, djangos = pair.render({"v": value}).split("|")
            assert ours == djangos
        assert pair.render({"v": None}) == "|"
