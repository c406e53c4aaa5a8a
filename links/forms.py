"""Input shape of the link forms on the ticket page; the rules live in links.actions."""

from django import forms

from .models import LinkType
from .selectors import parse_ticket_number


class LinkForm(forms.Form):
    type = forms.ChoiceField(choices=LinkType.choices)
    # The picker's radio buttons fill `target`; without JavaScript a typed number in `q` does.
    target = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    q = forms.CharField(required=False, max_length=200, label="Ticket")

    def clean(self):
        data = super().clean()
        target = data.get("target") or parse_ticket_number(data.get("q", ""))
        if not target:
            raise forms.ValidationError("Choose the ticket to link: type its number or words of its subject.")
        data["target"] = target
        return data


class UnlinkForm(forms.Form):
    type = forms.ChoiceField(choices=LinkType.choices)


class ResolveChildrenForm(forms.Form):
    resolution_notes = forms.CharField(
        required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 2})
    )
