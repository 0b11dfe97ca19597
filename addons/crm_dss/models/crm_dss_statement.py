from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import html2plaintext

from ..lib.scope import EXECUTIVE, Scope
from ..lib.statement import APPRAISAL_KEYS, appraisal, new_customers, receivable_rows, totals

SALESPERSON = "sales_team.group_sale_salesman"
SALES_MANAGER = "sales_team.group_sale_manager"
CUSTOMER_DOCUMENTS = ("out_invoice", "out_refund")
OPEN_CASE_STATES = ("new", "in_progress", "waiting")


class CrmDssStatement(models.AbstractModel):
    """The figures of the customer dossier and of the marketing statement, as plain dicts.

    Both readers follow one rule: **figures** (sums, counts, receivables) are read as
    superuser over every document of the companies the caller works in now
    (``env.companies``), once the caller has shown they may see the subject (the
    customer, the sales team); **documents listed** one by one (opportunities, quotations,
    orders, invoices, cases) are searched as the caller, so a salesperson only finds the
    documents they may open. The QWeb and XLSX reports (``report/``) print these dicts.
    Nothing here is callable over RPC (every method is private).
    """

    _name = "crm.dss.statement"
    _description = "Decision Support Statements"

    # ------------------------------------------------------------------ dossier
    @api.model
    def _dss_customer_dossier(self, partners):
        """The dossier of each commercial entity of ``partners``, for its salespeople.

        For salespeople (``sales_team.group_sale_salesman``) on customers they may read:
        the caller's read access on ``partners`` and on their commercial entities is
        checked first. Per commercial entity (with its contacts), in the companies the
        caller works in now:

        - ``needs``: open leads and opportunities (description, expected revenue) the
          caller may read, and the pipeline (every open opportunity) - crm installed only;
        - ``quotations``: quotations not confirmed the caller may read, and their total
          (every quotation, untaxed, company currency);
        - ``purchases``: confirmed orders summed per year and product category (every
          order), and the confirmed orders the caller may read;
        - ``invoiced`` / ``paid`` / ``residual``: posted customer invoices minus credit
          notes (every one, taxes included, company currency), and those the caller may read;
        - ``receivable``: open receivables (``account.move.line._crm_dss_receivables``);
        - ``complaints``: counts of complaint cases and those the caller may read
          (crm_service installed only).

        :return: a list of dicts, one per commercial entity, in the order of ``partners``
        :raise AccessError: the caller is not a salesperson or may not read a partner
        """
        if not self.env.user.has_group(SALESPERSON):
            raise AccessError(self.env._("Only salespeople print customer dossiers."))
        partners = partners.with_env(self.env)
        partners.check_access("read")
        customers = partners.commercial_partner_id
        customers.check_access("read")
        if not customers:
            return []
        companies = self.env.companies
        today = fields.Date.context_today(self)
        # sudo: the contacts of customers the caller may read, to find the documents addressed to them
        contacts = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", customers.ids)])
        )
        entity_of = {contact.id: contact.commercial_partner_id.id for contact in contacts}
        dossiers = {
            customer.id: {
                "partner_id": customer.id,
                "name": customer.display_name,
                "ref": customer.ref or "",
                "address": customer._display_address(without_company=True),
                "email": customer.email or "",
                "phone": customer.phone or "",
                "salesperson": customer.user_id.display_name or "",
                "currency_id": self.env.company.currency_id.id,
                "today": today,
            }
            for customer in customers
        }
        self._dss_dossier_purchases(dossiers, contacts, companies)
        self._dss_dossier_invoices(dossiers, entity_of, companies, today)
        self._dss_dossier_needs(dossiers, contacts, entity_of, companies)
        self._dss_dossier_complaints(dossiers, contacts, entity_of, companies)
        return [dossiers[customer.id] for customer in customers]

    def _dss_dossier_purchases(self, dossiers, contacts, companies):
        """Quotations (potential purchases) and confirmed orders (actual purchases)."""
        # sudo: figures over every order of customers the caller may read (see the class docstring)
        report = self.env["sale.report"].sudo()
        base = [("commercial_partner_id", "in", list(dossiers)), ("company_id", "in", companies.ids)]
        purchases = defaultdict(list)
        for customer, year, category, amount, quantity in report._read_group(
            [*base, ("state", "=", "sale")],
            ["commercial_partner_id", "date:year", "categ_id"],
            ["price_subtotal:sum", "product_uom_qty:sum"],
            order="commercial_partner_id, date:year desc, categ_id",
        ):
            purchases[customer.id].append(
                {
                    "year": year.year if year else "",
                    "category": category.display_name or self.env._("Undefined"),
                    "amount": amount,
                    "quantity": quantity,
                }
            )
        quoted = {
            customer.id: (count, amount)
            for customer, count, amount in report._read_group(
                [*base, ("state", "in", ("draft", "sent"))],
                ["commercial_partner_id"],
                ["order_reference:count_distinct", "price_subtotal:sum"],
            )
        }
        ordered = {
            customer.id: count
            for customer, count in report._read_group(
                [*base, ("state", "=", "sale")], ["commercial_partner_id"], ["order_reference:count_distinct"]
            )
        }
        # as the caller: the orders they may open
        orders = self.env["sale.order"].search(
            [
                ("partner_id", "in", contacts.ids),
                ("company_id", "in", companies.ids),
                ("state", "in", ("draft", "sent", "sale")),
            ],
            order="date_order desc, id desc",
        )
        listed = defaultdict(lambda: {"quotation_list": [], "order_list": []})
        for order in orders:
            key = "order_list" if order.state == "sale" else "quotation_list"
            listed[order.partner_id.commercial_partner_id.id][key].append(
                {
                    "id": order.id,
                    "name": order.name,
                    "date": order.date_order.date(),
                    "validity_date": order.validity_date,
                    "salesperson": order.user_id.display_name or "",
                    "amount": order.amount_untaxed,
                    "currency_id": order.currency_id.id,
                }
            )
        for customer, dossier in dossiers.items():
            count, amount = quoted.get(customer, (0, 0.0))
            dossier.update(
                {
                    "quotations": {"count": count, "amount": amount},
                    "purchases": purchases.get(customer, []),
                    "purchased": sum(row["amount"] for row in purchases.get(customer, [])),
                    "order_count": ordered.get(customer, 0),
                    **listed.get(customer, {"quotation_list": [], "order_list": []}),
                }
            )

    def _dss_dossier_invoices(self, dossiers, entity_of, companies, today):
        """Invoiced, paid and open amounts, the invoices the caller may read, the receivables."""
        domain = [
            ("commercial_partner_id", "in", list(dossiers)),
            ("move_type", "in", CUSTOMER_DOCUMENTS),
            ("state", "=", "posted"),
            ("company_id", "in", companies.ids),
        ]
        # sudo: figures over every invoice of customers the caller may read (see the class docstring)
        invoiced = {
            customer.id: (count, total, residual)
            for customer, count, total, residual in self.env["account.move"]
            .sudo()
            ._read_group(
                domain,
                ["commercial_partner_id"],
                ["__count", "amount_total_signed:sum", "amount_residual_signed:sum"],
            )
        }
        Move = self.env["account.move"]
        moves = Move.search(domain, order="invoice_date desc, id desc") if Move.has_access("read") else Move
        listed = defaultdict(list)
        for move in moves:
            listed[move.commercial_partner_id.id].append(
                {
                    "id": move.id,
                    "name": move.name,
                    "date": move.invoice_date,
                    "date_due": move.invoice_date_due,
                    "total": move.amount_total_signed,
                    "residual": move.amount_residual_signed,
                    "payment_state": dict(move._fields["payment_state"]._description_selection(self.env)).get(
                        move.payment_state, ""
                    ),
                }
            )
        scope = Scope(EXECUTIVE, tuple(sorted(companies.ids)))
        receivables = defaultdict(
            lambda: dict.fromkeys(("outstanding", "overdue", "1_30", "31_60", "61_90", "91_plus", "count"), 0)
        )
        for partner_id, figures in (
            self.env["account.move.line"]
            ._crm_dss_receivables(scope, today=today, group_by="partner", partner_ids=list(entity_of))
            .items()
        ):
            if partner_id in entity_of:
                for key, value in figures.items():
                    receivables[entity_of[partner_id]][key] += value
        for customer, dossier in dossiers.items():
            count, total, residual = invoiced.get(customer, (0, 0.0, 0.0))
            dossier.update(
                {
                    "invoice_count": count,
                    "invoiced": total,
                    "paid": total - residual,
                    "residual": residual,
                    "invoice_list": listed.get(customer, []),
                    "receivable": dict(receivables[customer]),
                }
            )

    def _dss_dossier_needs(self, dossiers, contacts, entity_of, companies):
        """Open leads and opportunities (crm installed): the caller's, and the pipeline's total."""
        installed = self.env["crm.dss.scope"]._dss_installed("crm.lead")
        pipeline, listed = {}, defaultdict(list)
        if installed:
            domain = [
                ("partner_id", "in", contacts.ids),
                ("probability", "<", 100),
                "|",
                ("company_id", "=", False),
                ("company_id", "in", companies.ids),
            ]
            # sudo: the pipeline's total over every opportunity of customers the caller may read
            pipeline_groups = (
                self.env["crm.lead"]
                .sudo()
                ._read_group(
                    [*domain, ("type", "=", "opportunity")], ["partner_id"], ["__count", "expected_revenue:sum"]
                )
            )
            for partner, count, revenue in pipeline_groups:
                figures = pipeline.setdefault(entity_of[partner.id], {"count": 0, "expected_revenue": 0.0})
                figures["count"] += count
                figures["expected_revenue"] += revenue
            Lead = self.env["crm.lead"]
            leads = Lead.search(domain, order="priority desc, id desc") if Lead.has_access("read") else Lead
            for lead in leads:
                listed[entity_of[lead.partner_id.id]].append(
                    {
                        "id": lead.id,
                        "name": lead.name,
                        "type": lead.type,
                        "stage": lead.stage_id.display_name or "",
                        "salesperson": lead.user_id.display_name or "",
                        "description": html2plaintext(lead.description or ""),
                        "expected_revenue": lead.expected_revenue,
                        "probability": lead.probability,
                        "date_deadline": lead.date_deadline,
                    }
                )
        for customer, dossier in dossiers.items():
            dossier.update(
                {
                    "show_needs": installed,
                    "needs": listed.get(customer, []),
                    "pipeline": pipeline.get(customer, {"count": 0, "expected_revenue": 0.0}),
                }
            )

    def _dss_dossier_complaints(self, dossiers, contacts, entity_of, companies):
        """Complaint cases of the customer (crm_service installed): counts, and those the caller may read."""
        installed = self.env["crm.dss.scope"]._dss_installed("crm.service.case")
        counts, listed = defaultdict(lambda: {"count": 0, "open": 0}), defaultdict(list)
        if installed:
            domain = [
                ("partner_id", "in", contacts.ids),
                ("case_type", "=", "complaint"),
                ("company_id", "in", companies.ids),
            ]
            # sudo: complaint counts over every case of customers the caller may read
            for partner, state, count in (
                self.env["crm.service.case"].sudo()._read_group(domain, ["partner_id", "state"], ["__count"])
            ):
                figures = counts[entity_of[partner.id]]
                figures["count"] += count
                figures["open"] += count if state in OPEN_CASE_STATES else 0
            Case = self.env["crm.service.case"]
            cases = Case.search(domain, order="date_open desc, id desc") if Case.has_access("read") else Case
            states = dict(Case._fields["state"]._description_selection(self.env))
            for case in cases:
                listed[entity_of[case.partner_id.id]].append(
                    {
                        "id": case.id,
                        "name": case.name,
                        "subject": case.subject,
                        "date": case.date_open,
                        "state": states.get(case.state, ""),
                    }
                )
        for customer, dossier in dossiers.items():
            dossier.update(
                {
                    "show_complaints": installed,
                    "complaints": dict(counts[customer]),
                    "complaint_list": listed.get(customer, []),
                }
            )

    # ------------------------------------------------------------------ marketing statement
    @api.model
    def _dss_statement_scope(self):
        """The scope of the marketing statement for the caller.

        Sales managers (``sales_team.group_sale_manager``), who may open every order of
        their companies anyway, see their current companies as a whole; department
        managers and executives get their decision-support scope (``crm.dss.scope``: a
        department manager sees the figures of their department's staff only).

        :raise AccessError: anyone else (salespeople, portal users)
        """
        user = self.env.user
        if user.has_group(SALES_MANAGER):
            return Scope(EXECUTIVE, tuple(sorted((self.env.companies & user.company_ids).ids)))
        if not user.has_group("crm_dss.group_crm_dss_manager"):
            raise AccessError(
                self.env._("Only sales managers, department managers and executives print marketing statements.")
            )
        return self.env["crm.dss.scope"]._dss_scope()

    @api.model
    def _dss_marketing_statement(self, teams, date_from, date_to):
        """The marketing statement of each sales team of ``teams`` for the period, for deployment and appraisal.

        Per team, within the caller's scope (:meth:`_dss_statement_scope`: companies, and
        for a department manager the salespeople of their department):

        - ``campaigns``: marketing campaigns run by the team overlapping the period
          (crm_marketing installed; for a department scope only when the team's leader is
          in it), ``leads_by_source``: leads created in the period by source and medium
          (crm installed);
        - ``customers``: customers with confirmed orders of the team in the period
          (active), those whose first confirmed order ever is in the period (new);
        - ``receivables``: open receivable lines of the team's customer invoices today,
          with due date, residual and days overdue (the suite's overdue rule);
        - ``appraisal``: the figures per salesperson (:data:`lib.statement.APPRAISAL_KEYS`).

        :raise ValidationError: the period ends before it starts
        :raise AccessError: the caller may not print statements or read a team, or a team
            belongs to a company outside the caller's scope
        """
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        if not date_from or not date_to or date_from > date_to:
            raise ValidationError(self.env._("Choose a period whose start date comes before its end date."))
        scope = self._dss_statement_scope()
        teams = teams.with_env(self.env)
        teams.check_access("read")
        if any(team.company_id and team.company_id.id not in scope.company_ids for team in teams):
            raise AccessError(
                self.env._("You may only print the statements of sales teams of the companies you work in.")
            )
        if not teams:
            return []
        today = fields.Date.context_today(self)
        start, end = self.env["crm.dss.scope"]._dss_day_bounds(date_from, date_to)
        users = None if scope.whole_companies else list(scope.user_ids)
        companies = list(scope.company_ids)
        # sudo: members of teams the caller may read, to list their salespeople
        members = self.env["crm.team.member"].sudo().search([("crm_team_id", "in", teams.ids)])
        salespeople = defaultdict(set)
        for member in members:
            salespeople[member.crm_team_id.id].add(member.user_id.id)
        for team in teams.sudo():  # sudo: leaders of teams the caller may read
            if team.user_id:
                salespeople[team.id].add(team.user_id.id)
        if users is not None:
            salespeople = {team: people & set(users) for team, people in salespeople.items()}

        def scoped(domain, user_field):
            domain = [*domain, ("company_id", "in", companies)]
            return domain if users is None else [*domain, (user_field, "in", users)]

        statements = {
            team.id: {
                "team_id": team.id,
                "name": team.display_name,
                "company": team.company_id.display_name or "",
                "leader": team.user_id.display_name or "",
                "date_from": date_from,
                "date_to": date_to,
                "today": today,
                "currency_id": self.env.company.currency_id.id,
            }
            for team in teams
        }
        measures = {key: defaultdict(lambda: defaultdict(float)) for key in APPRAISAL_KEYS}
        self._dss_statement_marketing(statements, teams, scope, start, end, date_from, date_to, measures)
        self._dss_statement_customers(statements, scoped, start, end, date_from, date_to, companies, measures)
        self._dss_statement_receivables(statements, scoped, today, measures)
        names = {}
        all_people = set().union(*salespeople.values(), *(set(m[t]) for m in measures.values() for t in m))
        all_people.discard(False)
        for user in self.env["res.users"].sudo().browse(all_people):  # sudo: names of salespeople
            names[user.id] = user.display_name
        for team_id, statement in statements.items():
            table = appraisal(
                salespeople.get(team_id, set()), **{key: measures[key][team_id] for key in APPRAISAL_KEYS}
            )
            rows = sorted(
                (
                    {"salesperson": names.get(person, self.env._("Unassigned")), "user_id": person or False, **figures}
                    for person, figures in table.items()
                ),
                key=lambda row: row["salesperson"],
            )
            statement["appraisal"] = rows
            statement["totals"] = {**totals(rows, APPRAISAL_KEYS), "salesperson": self.env._("Total"), "user_id": False}
        return [statements[team.id] for team in teams]

    def _dss_statement_marketing(self, statements, teams, scope, start, end, date_from, date_to, measures):
        """Campaigns run by the team (crm_marketing) and leads by source and medium (crm)."""
        show_campaigns = self.env["crm.dss.scope"]._dss_installed("crm.marketing.campaign")
        show_leads = self.env["crm.dss.scope"]._dss_installed("crm.lead")
        campaigns = defaultdict(list)
        if show_campaigns:
            team_ids = teams.ids
            if not scope.whole_companies:
                team_ids = teams.sudo().filtered(lambda team: team.user_id.id in scope.user_ids).ids
            # sudo: campaigns of teams the caller may read, within the scope's companies
            found = (
                self.env["crm.marketing.campaign"]
                .sudo()
                .search(
                    [
                        ("team_id", "in", team_ids),
                        ("company_id", "in", list(scope.company_ids)),
                        "|",
                        ("date_start", "=", False),
                        ("date_start", "<=", date_to),
                        "|",
                        ("date_end", "=", False),
                        ("date_end", ">=", date_from),
                    ]
                )
            )
            states = dict(found._fields["state"]._description_selection(self.env))
            for campaign in found:
                campaigns[campaign.team_id.id].append(
                    {
                        "id": campaign.id,
                        "name": campaign.name,
                        "state": states.get(campaign.state, ""),
                        "date_start": campaign.date_start,
                        "date_end": campaign.date_end,
                        "budget": campaign.budget,
                        "actual_cost": campaign.actual_cost,
                        "expected_revenue": campaign.expected_revenue,
                        "lead_count": campaign.lead_count,
                        "won_count": campaign.won_count,
                        "revenue": campaign.revenue,
                        "roi": campaign.roi,
                    }
                )
        sources = defaultdict(list)
        if show_leads:
            domain = [
                ("team_id", "in", teams.ids),
                ("create_date", ">=", start),
                ("create_date", "<", end),
                "|",
                ("company_id", "=", False),
                ("company_id", "in", list(scope.company_ids)),
            ]
            if not scope.whole_companies:
                domain.append(("user_id", "in", list(scope.user_ids)))
            # sudo: lead counts of teams the caller may read, lost and archived leads included
            Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
            for team, source, medium, count, revenue in Lead._read_group(
                domain, ["team_id", "source_id", "medium_id"], ["__count", "expected_revenue:sum"]
            ):
                sources[team.id].append(
                    {
                        "source": source.display_name or self.env._("None"),
                        "medium": medium.display_name or self.env._("None"),
                        "count": count,
                        "expected_revenue": revenue,
                    }
                )
            for team, user, count in Lead._read_group(domain, ["team_id", "user_id"], ["__count"]):
                measures["leads"][team.id][user.id] += count
        for team_id, statement in statements.items():
            statement.update(
                {
                    "show_campaigns": show_campaigns,
                    "show_leads": show_leads,
                    "campaigns": campaigns.get(team_id, []),
                    "leads_by_source": sorted(sources.get(team_id, []), key=lambda row: -row["count"]),
                    "lead_count": sum(row["count"] for row in sources.get(team_id, [])),
                }
            )

    def _dss_statement_customers(self, statements, scoped, start, end, date_from, date_to, companies, measures):
        """Active customers (confirmed orders in the period) and new ones (first order ever in it)."""
        # sudo: order figures of teams the caller may read, within the scope
        report = self.env["sale.report"].sudo()
        groups = report._read_group(
            scoped(
                [
                    ("team_id", "in", list(statements)),
                    ("state", "=", "sale"),
                    ("date", ">=", start),
                    ("date", "<", end),
                ],
                "user_id",
            ),
            ["team_id", "user_id", "commercial_partner_id"],
            ["order_reference:count_distinct", "price_subtotal:sum"],
        )
        customers = {customer.id for _team, _user, customer, _count, _amount in groups}
        first_orders = {
            customer.id: first.date()
            for customer, first in report._read_group(
                [
                    ("commercial_partner_id", "in", list(customers)),
                    ("state", "=", "sale"),
                    ("company_id", "in", companies),
                ],
                ["commercial_partner_id"],
                ["date:min"],
            )
        }
        new = new_customers(first_orders, date_from, date_to)
        rows = defaultdict(list)
        for team, user, customer, count, amount in groups:
            rows[team.id].append(
                {
                    "customer": customer.display_name,
                    "partner_id": customer.id,
                    "salesperson": user.display_name or "",
                    "orders": count,
                    "amount": amount,
                    "first_order": first_orders.get(customer.id),
                    "new": customer.id in new,
                }
            )
            measures["orders"][team.id][user.id] += count
            measures["ordered"][team.id][user.id] += amount
            measures["active_customers"][team.id][user.id] += 1
            measures["new_customers"][team.id][user.id] += 1 if customer.id in new else 0
        # sudo: invoiced figures of teams the caller may read, within the scope
        for team, user, amount in (
            self.env["account.move"]
            .sudo()
            ._read_group(
                scoped(
                    [
                        ("team_id", "in", list(statements)),
                        ("move_type", "in", CUSTOMER_DOCUMENTS),
                        ("state", "=", "posted"),
                        ("invoice_date", ">=", date_from),
                        ("invoice_date", "<=", date_to),
                    ],
                    "invoice_user_id",
                ),
                ["team_id", "invoice_user_id"],
                ["amount_untaxed_signed:sum"],
            )
        ):
            measures["invoiced"][team.id][user.id] += amount
        for team_id, statement in statements.items():
            team_rows = sorted(rows.get(team_id, []), key=lambda row: (row["customer"], row["salesperson"]))
            statement.update(
                {
                    "customers": team_rows,
                    "active_customers": len({row["partner_id"] for row in team_rows}),
                    "new_customers": len({row["partner_id"] for row in team_rows if row["new"]}),
                }
            )

    def _dss_statement_receivables(self, statements, scoped, today, measures):
        """Open receivable lines of the teams' customer invoices today, with their days overdue."""
        # sudo: open receivables of teams the caller may read, within the scope
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                scoped(
                    [
                        ("move_id.team_id", "in", list(statements)),
                        ("move_id.move_type", "in", CUSTOMER_DOCUMENTS),
                        ("account_id.account_type", "=", "asset_receivable"),
                        ("parent_state", "=", "posted"),
                        ("reconciled", "=", False),
                    ],
                    "move_id.invoice_user_id",
                ),
                order="date_maturity, id",
            )
        )
        found = defaultdict(list)
        for line in lines:
            move = line.move_id
            found[move.team_id.id].append(
                {
                    "id": line.id,
                    "invoice": move.name,
                    "customer": line.partner_id.commercial_partner_id.display_name or "",
                    "salesperson": move.invoice_user_id.display_name or "",
                    "user_id": move.invoice_user_id.id,
                    "date_maturity": line.date_maturity,
                    "residual": line.amount_residual,
                }
            )
        for team_id, statement in statements.items():
            rows = receivable_rows(found.get(team_id, []), today)
            for row in rows:
                measures["outstanding"][team_id][row["user_id"]] += row["residual"]
                measures["overdue"][team_id][row["user_id"]] += row["residual"] if row["overdue"] else 0.0
            statement.update(
                {
                    "receivables": rows,
                    "outstanding": sum(row["residual"] for row in rows),
                    "overdue": sum(row["residual"] for row in rows if row["overdue"]),
                }
            )
