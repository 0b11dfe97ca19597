from odoo import fields, models

from .crm_service_case import PRIORITIES


class CrmServiceContractLine(models.Model):
    """The targets of a service contract for the cases of one priority, in working hours of
    the contract's calendar."""

    _name = "crm.service.contract.line"
    _description = "Service Contract Target"
    _order = "contract_id, priority desc, id"

    contract_id = fields.Many2one("crm.service.contract", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    priority = fields.Selection(PRIORITIES, required=True, default="0")
    response_hours = fields.Float(
        string="Response (hours)", required=True, help="Working hours from the opening of a case to its first response."
    )
    resolution_hours = fields.Float(
        string="Resolution (hours)", required=True, help="Working hours from the opening of a case to its resolution."
    )
    warning_percent = fields.Integer(
        string="Warning at (%)",
        required=True,
        default=80,
        help="Share of a target after which the assignee and their manager are warned.",
    )

    _sql_constraints = [
        (
            "priority_unique",
            "UNIQUE(contract_id, priority)",
            "A contract has one line per priority: change the existing line.",
        ),
        (
            "hours_positive",
            "CHECK(response_hours > 0 AND resolution_hours > 0)",
            "Response and resolution targets are positive numbers of working hours.",
        ),
        (
            "warning_percent_range",
            "CHECK(warning_percent > 0 AND warning_percent <= 100)",
            "The warning is given at a share of the target between 1 and 100 %.",
        ),
    ]
