"""Registration: a new customer signs up; a guest proves their address and chooses a password.

Either way their tickets (opened as a guest, by email or by staff) are in "My tickets" after.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import ratelimit
from ..actions.registration import confirm_registration, read_confirmation, register_customer
from ..errors import ActionRefused
from ..forms import RegistrationForm, SetPasswordForm
from ._common import safe_next
from .guests import public_door


@public_door(ratelimit.REGISTER_PER_IP)
def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data)
    if data is not None and form.is_robot():
        return render(request, "tickets/register_sent.html")
    if data is not None and form.is_valid():
        try:
            user = register_customer(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                next_url=next_url,
            )
        except ActionRefused as exc:
            form.add_error("password1" if exc.field == "password" else exc.field, exc.reason)
        else:
            if user is None:
                return render(request, "tickets/register_sent.html")
            login(request, user)
            messages.success(request, "Welcome! Your account is ready.")
            return redirect(next_url or "portal")
    status = 400 if data is not None else 200
    return render(request, "tickets/register.html", {"form": form, "next": next_url}, status=status)


@require_http_methods(["GET", "POST"])
def register_confirm(request, signed):
    """The link of the confirmation email: choose a password, and you are logged in."""
    try:
        _, payload = read_confirmation(signed)
    except ActionRefused as exc:
        return render(request, "tickets/register_confirm.html", {"reason": exc.reason}, status=410)
    data = request.POST if request.method == "POST" else None
    form = SetPasswordForm(data)
    if data is not None and form.is_valid():
        try:
            user = confirm_registration(signed=signed, password=form.cleaned_data["password1"])
        except ActionRefused as exc:
            if exc.code == "gone":
                return render(request, "tickets/register_confirm.html", {"reason": exc.reason}, status=410)
            form.add_error("password1", exc.reason)
        else:
            login(request, user)
            messages.success(request, "Your password is set. Your tickets are listed below.")
            return redirect(safe_next(request, payload.get("next")) or "portal")
    response = render(
        request, "tickets/register_confirm.html", {"form": form}, status=400 if data is not None else 200
    )
    response["Referrer-Policy"] = "same-origin"  # not no-referrer: the form POSTs need an Origin
    return response
