"""Account pages: login, logout, password change and reset, and the home redirect."""

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect

from .forms import EmailAuthenticationForm


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


def home(request):
    """Send each person to their start page: staff to the queue, customers to the portal."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_agent:
        return redirect("ticket_list")
    return redirect("portal")
