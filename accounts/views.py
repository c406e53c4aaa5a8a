"""Account pages: login, logout, password change and reset, and the home redirect."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from tickets import ratelimit
from tickets.ratelimit import RateLimited

from . import lockout
from .forms import EmailAuthenticationForm

# Each reset request mails the address: a few per address, a few more per client address.
RESET_PER_IP = ratelimit.Limit("reset-ip", 10, 3600)
RESET_PER_ADDRESS = ratelimit.Limit("reset-address", 3, 3600)


def _too_many(request, template: str, context: dict, wait: int) -> TemplateResponse:
    response = TemplateResponse(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


class LoginView(auth_views.LoginView):
    """Django's login with progressive lockout per account and per address (accounts.lockout).

    Django rotates the session key on login (`cycle_key`), so a session id planted before the
    login is worthless after it.
    """

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        email = request.POST.get("username", "")
        try:
            lockout.check_login_allowed(request, email)
        except RateLimited as exc:
            # The form is not checked at all: no password is tried while locked.
            messages.error(request, f"Too many failed logins. Try again in {exc.wait} seconds.")
            form = self.form_class(request)
            return _too_many(request, self.template_name, self.get_context_data(form=form), exc.wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        lockout.login_succeeded(self.request, self.request.POST.get("username", ""))
        return super().form_valid(form)

    def form_invalid(self, form):
        lockout.login_failed(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per client address and per email address (429)."""

    def post(self, request, *args, **kwargs):
        try:
            ratelimit.hit(RESET_PER_IP, ratelimit.client_ip(request))
            ratelimit.hit(RESET_PER_ADDRESS, request.POST.get("email", ""))
        except RateLimited as exc:
            messages.error(request, f"Too many requests. Try again in {exc.wait} seconds.")
            form = self.form_class()
            return _too_many(request, self.template_name, self.get_context_data(form=form), exc.wait)
        return super().post(request, *args, **kwargs)


def home(request):
    """Send each person to their start page: staff to the queue, customers to the portal."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_agent:
        return redirect("ticket_list")
    return redirect("portal")
