"""The staff dashboard: open work, the last 30 days, SLA breaches and satisfaction (tickets/reports.py)."""

from django.shortcuts import render

from .. import reports
from ._common import agent_required


@agent_required
def dashboard(request):
    return render(request, "tickets/dashboard.html", reports.dashboard(request.user))
