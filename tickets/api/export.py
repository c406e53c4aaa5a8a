"""CSV export of the ticket list, with the list's filters (staff)."""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from ..export import COLUMNS, csv_response, export_tickets_qs
from ..queries import QUEUE, last_value, resolve_params
from .common import IsAgent
from .tickets import LIST_PARAMETERS


class CSVRenderer(BaseRenderer):
    """Lets a client ask for `Accept: text/csv`; the view streams the file itself."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()  # an error body, when the client asked for CSV only


class TicketExportApi(APIView):
    permission_classes = [IsAgent]
    renderer_classes = [JSONRenderer, CSVRenderer]  # JSON first: errors come out as JSON

    @extend_schema(
        parameters=LIST_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description=f"Streamed CSV with the columns: {', '.join(COLUMNS)}."
            )
        },
    )
    def get(self, request):
        """Export the tickets the list would show, with the same filters, as a streamed CSV (staff).

        Cells a spreadsheet would run as formulas (starting with = + - @ or a tab) get a quote first.
        """
        params, _view = resolve_params(request.user, request.query_params)
        queue = last_value(params, QUEUE)
        qs = export_tickets_qs(request.user, params, queue)
        return csv_response(qs, f"tickets-{queue or 'all'}")
