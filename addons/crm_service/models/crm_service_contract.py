from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmServiceContract(models.Model):
    """A customer's service contract: how fast their cases are answered and solved, in the
    working hours of a calendar, per priority (:class:`CrmServiceContractLine`), and what
    it covers.

    A case takes the active contract of its customer's commercial entity in its company
    whose dates cover the case's opening (``crm.service.case._compute_contract_id``).
    The state is set by the buttons and follows the dates: activating a contract whose end
    has passed expires it, the daily check expires contracts once their end has passed,
    and moving the end of an expired contract ahead makes it active again.
    """

    _name = "crm.service.contract"
    _description = "Service Contract"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        help="The customer's commercial entity: the company, or a person who buys for themself.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    date_start = fields.Date(string="Start", required=True, default=fields.Date.context_today, tracking=True)
    date_end = fields.Date(string="End", tracking=True, help="Leave empty for a contract without end.")
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("expired", "Expired")],
        string="Status",
        required=True,
        default="draft",
        copy=False,
        index=True,
        tracking=True,
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        required=True,
        compute="_compute_resource_calendar_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="The hours in which the targets run; the company's public holidays are left out.",
    )
    line_ids = fields.One2many("crm.service.contract.line", "contract_id", string="Targets", copy=True)
    coverage = fields.Text(help="What the contract covers: services, sites, exclusions.")
    product_ids = fields.Many2many(
        "product.product", string="Covered Products", check_company=True, help="Leave empty if not about products."
    )
    case_count = fields.Integer(string="Cases", compute="_compute_case_count")

    @api.depends("company_id")
    def _compute_resource_calendar_id(self):
        for contract in self:
            calendar = contract.resource_calendar_id
            if not calendar or calendar.company_id not in (contract.company_id, self.env["res.company"]):
                contract.resource_calendar_id = contract.company_id.resource_calendar_id

    def _compute_case_count(self):
        counts = dict(
            self.env["crm.service.case"]._read_group([("contract_id", "in", self.ids)], ["contract_id"], ["__count"])
        )
        for contract in self:
            contract.case_count = counts.get(contract, 0)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(
                    self.env._("The contract %s ends before it starts: set an end after the start.", contract.name)
                )

    @api.constrains("partner_id")
    def _check_partner_id(self):
        for contract in self:
            if contract.partner_id != contract.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The contract %(contract)s is with %(partner)s, a contact of %(entity)s: "
                        "make it with %(entity)s.",
                        contract=contract.name,
                        partner=contract.partner_id.display_name,
                        entity=contract.partner_id.commercial_partner_id.display_name,
                    )
                )

    @api.constrains("state", "partner_id", "company_id", "date_start", "date_end")
    def _check_one_active_contract(self):
        for contract in self.filtered(lambda c: c.state == "active"):
            domain = [
                ("id", "!=", contract.id),
                ("state", "=", "active"),
                ("partner_id", "=", contract.partner_id.id),
                ("company_id", "=", contract.company_id.id),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", contract.date_start),
            ]
            if contract.date_end:
                domain.append(("date_start", "<=", contract.date_end))
            # sudo: the rule is about every contract of the customer, readable or not
            other = self.sudo().search(domain, limit=1)
            if other:
                raise ValidationError(
                    self.env._(
                        "%(partner)s already has the active contract %(other)s over these dates: "
                        "end it, or set this one to draft.",
                        partner=contract.partner_id.display_name,
                        other=other.name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if "date_end" in vals and "state" not in vals:
            self.filtered(lambda c: c.state in ("active", "expired"))._expire_or_activate()
        return result

    def action_activate(self):
        self._expire_or_activate()

    def action_draft(self):
        self.write({"state": "draft"})

    def action_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_service.crm_service_case_action")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.partner_id.id, "default_contract_id": self.id}
        return action

    def _expire_or_activate(self):
        """Active while the end has not passed, expired after."""
        today = fields.Date.context_today(self)
        expired = self.filtered(lambda c: c.date_end and c.date_end < today)
        (expired - expired.filtered(lambda c: c.state == "expired")).write({"state": "expired"})
        active = self - expired
        (active - active.filtered(lambda c: c.state == "active")).write({"state": "active"})

    @api.model
    def _cron_expire(self):
        """Expire the active contracts whose end has passed (daily)."""
        today = fields.Date.context_today(self)
        self.search([("state", "=", "active"), ("date_end", "<", today)]).write({"state": "expired"})
