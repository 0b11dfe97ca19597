from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import clean_context, split_every

HANDOVER_BATCH = 500
QUOTATION_STATES = ("draft", "sent")


class CrmHandover(models.TransientModel):
    """Move opportunities, customers, open quotations and activities from one salesperson to another.

    A sales manager hands over one opportunity, a selection, or the whole portfolio of a
    (departing) salesperson. Everything moves in one transaction or not at all, and
    every handover is logged in ``crm.handover.log``.
    """

    _name = "crm.handover"
    _description = "Hand Over Sales Portfolio"

    scope = fields.Selection(
        [("selection", "Selected opportunities"), ("portfolio", "Whole portfolio")],
        required=True,
        default="portfolio",
    )
    from_user_id = fields.Many2one(
        "res.users",
        string="From",
        domain=[("share", "=", False)],
        context={"active_test": False},
        help="The salesperson who hands over (archived users included: they may have left).",
    )
    to_user_id = fields.Many2one(
        "res.users", string="To", domain=[("share", "=", False)], help="The salesperson who takes over."
    )
    lead_ids = fields.Many2many("crm.lead", string="Opportunities")
    reason = fields.Text(help="Why: kept in the handover log and sent to the new salesperson.")
    lead_count = fields.Integer(string="Leads & Opportunities", compute="_compute_counts")
    partner_count = fields.Integer(string="Customers", compute="_compute_counts")
    order_count = fields.Integer(string="Quotations", compute="_compute_counts")
    activity_count = fields.Integer(string="Activities", compute="_compute_counts")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        model = context.get("active_model")
        ids = context.get("active_ids") or ([context["active_id"]] if context.get("active_id") else [])
        if not ids:
            return values
        if model == "crm.lead":
            leads = self.env["crm.lead"].browse(ids)
            values.update(scope="selection", lead_ids=[Command.set(leads.ids)])
            if len(leads.user_id) == 1:
                values["from_user_id"] = leads.user_id.id
        elif model == "res.users":
            values.update(scope="portfolio", from_user_id=ids[0])
        elif model in ("hr.employee", "hr.employee.public"):
            values.update(scope="portfolio", from_user_id=self.env[model].browse(ids[0]).user_id.id)
        return {name: value for name, value in values.items() if name in fields_list}

    @api.depends("scope", "from_user_id", "lead_ids")
    def _compute_counts(self):
        for handover in self:
            leads, partners, orders, activities = handover._collect()
            handover.lead_count = len(leads)
            handover.partner_count = len(partners)
            handover.order_count = len(orders)
            handover.activity_count = len(activities)

    @api.onchange("lead_ids")
    def _onchange_lead_ids(self):
        if self.scope == "selection" and len(self.lead_ids.user_id) == 1:
            self.from_user_id = self.lead_ids.user_id

    # actions

    def action_handover(self):
        self.ensure_one()
        self._check_manager()
        leads, partners, orders, activities = self._collect()
        self._check_handover(leads, partners, orders, activities)
        to_user = self.to_user_id
        # one notification for the whole handover (below) instead of one per record
        quiet = {"mail_auto_subscribe_no_notify": True, "mail_activity_quick_update": True}
        for values, team_leads in self._lead_values(leads, to_user):
            for batch in split_every(HANDOVER_BATCH, team_leads.ids, team_leads.with_context(**quiet).browse):
                batch.write(values)
        for batch in split_every(HANDOVER_BATCH, orders.ids, orders.with_context(**quiet).browse):
            batch.write({"user_id": to_user.id})
        # sudo: the customers' salesperson is the manager's to hand over (checked above: the
        # departing salesperson is in their department), even without the right to edit contacts
        for batch in split_every(HANDOVER_BATCH, partners.ids, partners.sudo().with_context(**quiet).browse):
            batch.write({"user_id": to_user.id})
        # sudo: the activities of the departing salesperson on the records just moved; the
        # manager may not edit the customers they sit on
        activities = activities.sudo().with_context(**quiet)
        for model, model_activities in activities.grouped("res_model").items():
            # subscribe the new owner once per model, not once per activity as mail.activity.write does
            self.env[model].sudo().browse(model_activities.mapped("res_id")).message_subscribe(
                partner_ids=to_user.partner_id.ids
            )
        for batch in split_every(HANDOVER_BATCH, activities.ids, activities.browse):
            batch.write({"user_id": to_user.id})
        # sudo: the log is written by this wizard only (no group may create one), after the
        # checks above; with the values given here, not defaults the caller's context names
        # (default_date...), and with the user and company of the caller's own environment
        # (in superuser mode the active company is not checked against the user's)
        Log = self.env["crm.handover.log"].sudo().with_context(clean_context(self.env.context))
        values = {
            "user_id": self.env.uid,
            "company_id": self.env.company.id,
            "from_user_id": self.from_user_id.id,
            "to_user_id": to_user.id,
            "reason": self.reason.strip(),
            "scope": self.scope,
            "lead_ids": [Command.set(leads.ids)],
            "partner_ids": [Command.set(partners.ids)],
            "order_ids": [Command.set(orders.ids)],
            "line_ids": self._log_lines(leads, partners, orders, activities),
            "lead_count": len(leads),
            "partner_count": len(partners),
            "order_count": len(orders),
            "activity_count": len(activities),
        }
        log = Log.create(values).sudo(False)
        log._notify_new_owner()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.handover.log",
            "res_id": log.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    # business methods

    def _check_manager(self):
        if not self.env.user.has_group("crm_sfa.group_crm_sfa_manager"):
            raise AccessError(
                self.env._("Only sales managers hand over opportunities and customers: ask your sales manager.")
            )

    def _collect(self):
        """(leads, customers, open quotations, activities) that the handover moves, as the current user sees them."""
        self.ensure_one()
        Lead, Partner, Order = self.env["crm.lead"], self.env["res.partner"], self.env["sale.order"]
        Activity = self.env["mail.activity"]
        from_user = self.from_user_id
        if not from_user:
            return Lead, Partner, Order, Activity
        if self.scope == "selection":
            leads = self.lead_ids._origin.filtered(lambda lead: lead.user_id == from_user)
            customers = leads.partner_id | leads.partner_id.commercial_partner_id
            partners = customers.filtered(lambda partner: partner.user_id == from_user)
            orders = (
                Order.search(
                    [
                        ("opportunity_id", "in", leads.ids),
                        ("user_id", "=", from_user.id),
                        ("state", "in", QUOTATION_STATES),
                    ]
                )
                if leads
                else Order
            )
        else:
            leads = Lead.search(
                [("user_id", "=", from_user.id), "|", ("stage_id", "=", False), ("stage_id.is_won", "=", False)]
            )
            partners = Partner.search([("user_id", "=", from_user.id)])
            orders = Order.search([("user_id", "=", from_user.id), ("state", "in", QUOTATION_STATES)])
        documents = [
            (model, records.ids)
            for model, records in (("crm.lead", leads), ("sale.order", orders), ("res.partner", partners))
            if records
        ]
        if not documents:
            return leads, partners, orders, Activity
        domain = []
        for model, ids in documents:
            part = ["&", ("res_model", "=", model), ("res_id", "in", ids)]
            domain = ["|", *domain, *part] if domain else part
        activities = Activity.search([("user_id", "=", from_user.id), *domain])
        return leads, partners, orders, activities

    def _log_lines(self, leads, partners, orders, activities):
        """The log's lines: each record moved, by its name now (read as superuser, as the records moved)."""
        lines = [
            Command.create({"kind": kind, "res_model": records._name, "res_id": record.id, "name": record.display_name})
            for kind, records in (("lead", leads), ("partner", partners), ("order", orders))
            for record in records.sudo()
        ]
        lines += [
            Command.create(
                {
                    "kind": "activity",
                    "res_model": activity._name,
                    "res_id": activity.id,
                    "name": activity.summary or activity.activity_type_id.name or activity.res_name,
                    "activity_on": activity.res_name,
                    "date_deadline": activity.date_deadline,
                }
            )
            for activity in activities.sudo()
        ]
        return lines

    def _lead_values(self, leads, to_user):
        """[(values, leads)] to give the leads to ``to_user``, with the team crm.lead would compute, in batch.

        crm.lead recomputes the team lead by lead (a search each); it keeps the team when the
        new salesperson is a member, else takes the salesperson's default team for the lead's
        type. That team only depends on the user and the type: find it once per type.
        """
        keep = leads.filtered(lambda lead: lead.team_id and to_user in (lead.team_id.member_ids | lead.team_id.user_id))
        result = [({"user_id": to_user.id}, keep)] if keep else []
        for lead_type, type_leads in (leads - keep).grouped("type").items():
            domain = [("use_leads", "=", True)] if lead_type == "lead" else [("use_opportunities", "=", True)]
            team = self.env["crm.team"]._get_default_team_id(user_id=to_user.id, domain=domain)
            result.append(({"user_id": to_user.id, "team_id": team.id}, type_leads))
        return result

    def _check_handover(self, leads, partners, orders, activities):
        """Refuse a handover that cannot be done right, before anything moves."""
        from_user, to_user = self.from_user_id, self.to_user_id
        if not (self.reason or "").strip():
            raise UserError(self.env._("Say why you hand over: the reason is kept in the handover log."))
        if not from_user:
            raise UserError(self.env._("Choose the salesperson who hands over."))
        if not to_user:
            raise UserError(self.env._("Choose the salesperson who takes over."))
        if to_user == from_user:
            raise UserError(
                self.env._("%s would hand over to themselves: choose another salesperson to take over.", to_user.name)
            )
        if not to_user.active:
            raise UserError(
                self.env._("%s is archived and cannot take over: choose an active salesperson.", to_user.name)
            )
        if to_user.share:
            raise UserError(
                self.env._(
                    "%s is a portal user and cannot take over sales: choose an internal salesperson.", to_user.name
                )
            )
        if not to_user.has_group("sales_team.group_sale_salesman"):
            raise UserError(
                self.env._(
                    "%s has no access to Sales: give them a Sales role first, or choose another salesperson.",
                    to_user.name,
                )
            )
        if self.scope == "selection":
            selected = self.lead_ids._origin
            if not selected:
                raise UserError(self.env._("Select the opportunities to hand over."))
            others = selected - leads
            if others:
                raise UserError(
                    self.env._(
                        "Some selected opportunities are not %(user)s's: %(leads)s. "
                        "Hand over one salesperson's opportunities at a time.",
                        user=from_user.name,
                        leads=", ".join(others.mapped("name")),
                    )
                )
        self._check_department(from_user)
        companies = leads.company_id | orders.company_id
        missing = companies - to_user.company_ids
        if missing:
            raise UserError(
                self.env._(
                    "%(user)s may not work in %(companies)s: allow them these companies, "
                    "or choose a salesperson of these companies.",
                    user=to_user.name,
                    companies=", ".join(missing.mapped("name")),
                )
            )
        if not (leads or partners or orders or activities):
            raise UserError(
                self.env._(
                    "%s has nothing open to hand over that you may see: no opportunity, customer, "
                    "quotation or activity.",
                    from_user.name,
                )
            )

    def _check_department(self, from_user):
        """A department manager hands over the portfolios of their department; the decision level any."""
        user = self.env.user
        if user.has_group("sales_team.group_sale_salesman_all_leads") or from_user == user:
            return
        # sudo: the employees and their departments, as the department record rules read them
        departments = user.sudo().employee_ids.department_id
        from_departments = from_user.sudo().with_context(active_test=False).employee_ids.department_id
        managed = departments and self.env["hr.department"].sudo().search([("id", "child_of", departments.ids)])
        if not managed or not from_departments & managed:
            raise UserError(
                self.env._(
                    "%s is not in your department: ask their sales manager, or a director, to hand over.",
                    from_user.name,
                )
            )
