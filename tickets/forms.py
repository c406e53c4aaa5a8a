"""Input shape of the ticket pages. The rules live in the actions; these only parse."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role, Team, User

from .models import Category, Item, Priority, Status, TicketType

MARKDOWN_HELP = "Markdown: *emphasis*, lists, links, `code`, > quotes."


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Up to 10 files; only shown here: the view reads them through the upload size check."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Attach files")
        kwargs.setdefault("help_text", "Up to 10 files. Programs and scripts are not accepted.")
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        return None


class TagsField(forms.CharField):
    """Comma-separated tag names, as a list."""

    def to_python(self, value):
        value = super().to_python(value)
        return [name.strip() for name in value.split(",") if name.strip()]


class MenuIterator(forms.models.ModelChoiceIterator):
    """The choices of a menu in one plain query.

    Django iterates a model menu with `QuerySet.iterator()`, a server-side cursor on PostgreSQL:
    three round trips (DECLARE, FETCH, CLOSE) for a list of a few dozen rows.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class MenuField(forms.ModelChoiceField):
    """A <select> of a short list of rows (statuses, priorities, teams, staff, the catalogue)."""

    iterator = MenuIterator


def cti_fields(form: forms.Form) -> None:
    """Category, type and item selects; the category select asks for its children over htmx."""
    form.fields["category"] = MenuField(
        Category.objects.filter(active=True), empty_label="Choose a category…"
    )
    form.fields["category"].widget.attrs.update(
        {
            "hx-get": reverse("cti_options"),
            "hx-trigger": "change",
            "hx-target": "#cti-children",
            "hx-swap": "outerHTML",
        }
    )
    # Any active type or item passes here: whether it belongs to its parent is the action's rule.
    form.fields["type"] = MenuField(TicketType.objects.filter(active=True), required=False)
    form.fields["item"] = MenuField(Item.objects.filter(active=True), required=False)


class TicketCreateForm(forms.Form):
    requester_email = forms.EmailField(
        label="Requester email",
        required=False,
        help_text="Leave empty to open the ticket for yourself; an unknown address creates the customer.",
    )
    subject = forms.CharField(max_length=255)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), help_text=MARKDOWN_HELP)
    priority = MenuField(Priority.objects.all(), required=False, empty_label="Default")
    tags = TagsField(required=False, help_text="Separate tags with commas.")
    files = FilesField()

    def __init__(self, *args, for_staff: bool, show_priority: bool, **kwargs):
        super().__init__(*args, **kwargs)
        cti_fields(self)
        self.order_fields(["requester_email", "subject", "category", "type", "item", "priority"])
        if not for_staff:
            del self.fields["requester_email"], self.fields["tags"]
        if not show_priority:
            del self.fields["priority"]

    def action_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("files", None)
        if not data.get("requester_email"):
            data.pop("requester_email", None)
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}), help_text=MARKDOWN_HELP)
    files = FilesField()
    internal = forms.BooleanField(label="Internal note (staff only)", required=False)
    status = MenuField(
        Status.objects.filter(active=True),
        label="Then set status to",
        required=False,
        empty_label="Keep the current status",
    )

    def __init__(self, *args, default_status: Status | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if default_status is not None:
            # The workflow moves a reply's ticket to this status unless another is chosen; to
            # keep the status as it is, choose the current one.
            self.fields["status"].empty_label = None
            self.initial["status"] = default_status.pk


class CustomerReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply", widget=forms.Textarea(attrs={"rows": 5}), help_text=MARKDOWN_HELP
    )
    files = FilesField()


class TicketFieldsForm(forms.Form):
    subject = forms.CharField(max_length=255)
    priority = MenuField(Priority.objects.all(), empty_label=None)
    tags = TagsField(required=False, help_text="Separate tags with commas.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cti_fields(self)
        self.order_fields(["subject", "priority", "category", "type", "item", "tags"])


class AssignForm(forms.Form):
    assignee = MenuField(
        # Only what an option shows (str(user)): the menu lists every active staff member.
        User.objects.filter(role__in=(Role.ADMIN, Role.STAFF), is_active=True).only("pk", "name", "email"),
        required=False,
        empty_label="Nobody",
    )
    team = MenuField(Team.objects.all(), required=False, empty_label="No team")


class StatusForm(forms.Form):
    status = MenuField(Status.objects.filter(active=True), empty_label=None)


class ResolveForm(forms.Form):
    resolution_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Shown to the requester; kept if the ticket is reopened.",
    )


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )


class MessageEditForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How satisfied are you with how we handled this ticket?",
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000)


# --- Guests, registration and invites ---------------------------------------------------

HONEYPOT_FIELD = "website"


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by CSS, out of the tab order); robots fill it in."""

    website = forms.CharField(required=False, label="Leave this field empty")

    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


class GuestTicketForm(HoneypotMixin, TicketCreateForm):
    email = forms.EmailField(label="Your email address", max_length=254)
    name = forms.CharField(label="Your name", max_length=150, required=False)

    def __init__(self, *args, show_priority: bool, **kwargs):
        super().__init__(*args, for_staff=False, show_priority=show_priority, **kwargs)
        self.order_fields(["email", "name", "subject", "category", "type", "item", "priority"])

    def action_kwargs(self) -> dict:
        data = super().action_kwargs()
        data.pop(HONEYPOT_FIELD, None)
        return data


class ResendLinksForm(HoneypotMixin):
    email = forms.EmailField(label="Your email address", max_length=254)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        if password and not self._errors:
            # Django's password rules, once all else is valid, for every address alike (they reveal
            # nothing about it).
            try:
                password_validation.validate_password(password)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class RegistrationForm(HoneypotMixin, SetPasswordForm):
    email = forms.EmailField(label="Email address", max_length=254)
    name = forms.CharField(label="Your name", max_length=150, required=False)
