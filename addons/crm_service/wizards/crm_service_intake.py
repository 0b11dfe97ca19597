from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import entitlement
from ..lib.knowledge import html_to_text
from ..models.crm_service_case import CHANNELS

INTAKE_CHANNELS = [channel for channel in CHANNELS if channel[0] in ("phone", "walk_in", "email", "sms")]


class CrmServiceIntake(models.TransientModel):
    """The call centre's screen for a call or a visit: who is calling (recognised by their
    number), what they have (contracts, warranty, open cases, everything they did with us)
    and what the knowledge base says, then a case, or an answer on the spot.

    An answer on the spot is a case too: opened and closed at once with the article that
    helped, so that it counts and shows in the customer's history.
    """

    _name = "crm.service.intake"
    _description = "Log a Call or Visit"

    channel = fields.Selection(INTAKE_CHANNELS, required=True, default="phone")
    phone = fields.Char(help="The number the customer calls from or gives.")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    match_count = fields.Integer(compute="_compute_partner_id", store=True, precompute=True)
    partner_name = fields.Char(string="New Contact Name", help="For a caller we do not know yet.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    subject = fields.Char()
    description = fields.Html()
    type_id = fields.Many2one(
        "crm.service.case.type", string="Case Type", domain="[('company_id', 'in', [company_id, False])]"
    )
    priority = fields.Selection([("0", "Normal"), ("1", "High"), ("2", "Urgent")], default="0")
    asset_id = fields.Many2one(
        "crm.service.asset",
        domain="[('commercial_partner_id', '=', commercial_partner_id), ('company_id', '=', company_id)]",
    )
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    service_amount = fields.Monetary(string="Estimated Charge", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    contract_ids = fields.Many2many("crm.service.contract", compute="_compute_entitlement", string="Active Contracts")
    coverage = fields.Selection(
        [
            (entitlement.FREE, "Free of Charge"),
            (entitlement.WARRANTY, "Under Warranty"),
            (entitlement.CONTRACT, "Covered by Contract"),
            (entitlement.UNCOVERED, "Charged: the credit is checked"),
        ],
        compute="_compute_entitlement",
    )
    warranty_end = fields.Date(related="asset_id.warranty_end")
    open_case_ids = fields.Many2many("crm.service.case", compute="_compute_open_case_ids", string="Open Cases")
    history_html = fields.Html(string="History", compute="_compute_history_html", sanitize=False)
    suggestion_ids = fields.Many2many(
        "crm.service.article", compute="_compute_suggestion_ids", string="Suggested Articles"
    )
    article_id = fields.Many2one(
        "crm.service.article",
        string="Article that Answered",
        domain="[('state', '=', 'published'), ('company_id', 'in', [company_id, False])]",
    )

    @api.depends("phone")
    def _compute_partner_id(self):
        for intake in self:
            matches = self.env["res.partner"]._crm_service_find_by_phone(intake.phone) if intake.phone else False
            intake.match_count = len(matches) if matches else 0
            if matches:
                intake.partner_id = matches[0]

    @api.depends("partner_id", "company_id", "type_id", "asset_id")
    def _compute_entitlement(self):
        Contract = self.env["crm.service.contract"]
        for intake in self:
            contracts = (
                Contract.search(
                    [
                        ("partner_id", "=", intake.commercial_partner_id.id),
                        ("company_id", "=", intake.company_id.id),
                        ("state", "=", "active"),
                    ],
                    order="date_start desc, id desc",
                )
                if intake.partner_id and Contract.has_access("read")
                else Contract
            )
            intake.contract_ids = contracts
            contract, asset = contracts[:1], intake.asset_id
            intake.coverage = entitlement.coverage(
                bool(intake.type_id.paid),
                fields.Date.context_today(self),
                contract=(contract.date_start, contract.date_end or None, set(contract.product_ids.ids))
                if contract
                else None,
                asset=(asset.product_id.id, asset.warranty_end or None) if asset else None,
            )

    @api.depends("partner_id")
    def _compute_open_case_ids(self):
        Case = self.env["crm.service.case"]
        for intake in self:
            intake.open_case_ids = (
                Case.search(
                    [
                        ("partner_id", "child_of", intake.commercial_partner_id.id),
                        ("state", "in", ("new", "in_progress", "waiting")),
                    ],
                    limit=10,
                )
                if intake.partner_id
                else Case
            )

    @api.depends("partner_id")
    def _compute_history_html(self):
        for intake in self:
            intake.history_html = intake.partner_id._crm_service_history_render() if intake.partner_id else False

    @api.depends("subject", "description", "company_id")
    def _compute_suggestion_ids(self):
        Article = self.env["crm.service.article"]
        for intake in self:
            text = f"{intake.subject or ''} {html_to_text(intake.description)}".strip()
            intake.suggestion_ids = Article._crm_service_suggest(text, intake.company_id) if text else Article

    def action_create_case(self):
        """Log the case and open it."""
        self.ensure_one()
        case = self._crm_service_create_case()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.service.case",
            "res_id": case.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_answered(self):
        """The customer's question was answered on the spot by an article: the case is
        logged and closed at once, with the article that helped."""
        self.ensure_one()
        if not self.article_id:
            raise UserError(self.env._("Pick the article that answered the customer, or log a case to work on."))
        case = self._crm_service_create_case(
            resolution=self.article_id.answer,
            article_id=self.article_id.id,
        )
        case.with_context(crm_service_transfer_reason=self.env._("Answered at once")).write(
            {"state": "solved", "user_id": self.env.user.id}
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.service.case",
            "res_id": case.id,
            "view_mode": "form",
            "target": "current",
        }

    def _crm_service_create_case(self, **extra):
        if not (self.subject or "").strip():
            raise UserError(self.env._("Say what the customer needs in the subject before logging the case."))
        partner = self.partner_id or self._crm_service_new_contact()
        Article = self.env["crm.service.article"]
        text = f"{self.subject} {html_to_text(self.description)}"
        # the question counts among those asked most, once per case logged
        Article._crm_service_suggest(text, self.company_id, record=True)
        return self.env["crm.service.case"].create(
            {
                "subject": self.subject.strip(),
                "description": self.description,
                "partner_id": partner.id,
                "partner_phone": self.phone or partner.mobile or partner.phone,
                "channel": self.channel,
                "type_id": self.type_id.id,
                "priority": self.priority,
                "asset_id": self.asset_id.id,
                "service_amount": self.service_amount,
                "company_id": self.company_id.id,
                **extra,
            }
        )

    def _crm_service_new_contact(self):
        name = (self.partner_name or "").strip()
        if not name:
            raise UserError(
                self.env._(
                    "No customer has the number %s: pick the customer, or enter the caller's name to create "
                    "the contact.",
                    self.phone or "",
                )
            )
        return self.env["res.partner"].create({"name": name, "phone": self.phone})
