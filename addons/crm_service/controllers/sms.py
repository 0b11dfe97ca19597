import hmac
import logging

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..lib import channels

_logger = logging.getLogger(__name__)

# the names of the system parameter and of the header that hold the secret, not the secret
TOKEN_PARAMETER = "crm_service.sms_inbound_token"  # noqa: S105
TOKEN_HEADER = "X-Crm-Service-Token"  # noqa: S105


class CrmServiceSmsController(http.Controller):
    """The inbound SMS webhook: the SMS provider posts each SMS a customer sends to the
    service's number, and it is stored on a case (``crm.service.case._crm_service_from_sms``).

    The provider authenticates with the secret of the system parameter
    ``crm_service.sms_inbound_token``, in the ``X-Crm-Service-Token`` header or a ``token``
    field (for providers that only let one configure a URL). Without that parameter the
    webhook is closed. Fields: ``from`` (the sender's number), ``body`` (the text),
    ``message_id`` (the provider's id of the SMS, so that a resent SMS is not stored twice).

    Answers: 200 once the SMS is stored (with the case's reference); 403 with a missing or
    wrong token, 400 without a sender number, 503 while another SMS of the same number is
    being stored, storing nothing. Any other failure is an error (500) and nothing is
    stored: the provider keeps the SMS and sends it again.
    """

    @http.route(
        "/crm_service/sms/inbound", type="http", auth="public", methods=["POST"], csrf=False, save_session=False
    )
    def crm_service_sms_inbound(self, **post):
        # sudo: the secret is read to compare it; no user may read system parameters
        expected = request.env["ir.config_parameter"].sudo().get_param(TOKEN_PARAMETER) or ""
        given = request.httprequest.headers.get(TOKEN_HEADER) or post.get("token") or ""
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            _logger.warning("Inbound SMS refused from %s: missing or wrong token", request.httprequest.remote_addr)
            return request.make_json_response({"error": "forbidden"}, status=403)
        try:
            # sudo: the token authenticates the provider, not a user; the SMS goes on the customer's case
            case = (
                request.env["crm.service.case"]
                .sudo()
                ._crm_service_from_sms(post.get("from") or "", post.get("body") or "", post.get("message_id"))
            )
        except UserError as error:
            return request.make_json_response({"error": str(error)}, status=400)
        except channels.NumberBusy:
            # another SMS of the number is being stored: the provider sends this one again
            return request.make_json_response({"error": "busy"}, status=503, headers={"Retry-After": "5"})
        return request.make_json_response({"status": "stored", "case": case.name})
