from odoo import fields, models, tools
from odoo.tools import SQL

from ..lib.dashboard import OPEN_STATES
from ..models.crm_service_case import CHANNELS, PRIORITIES, SLA_STATUSES
from ..models.crm_service_case_type import KINDS
from ..models.crm_service_stage import CASE_STATES


class CrmServiceReportCase(models.Model):
    """Service analysis: one row per case, with its times, SLA outcome and rating.

    Volume by channel and month, response and resolution times, SLA compliance,
    satisfaction, the issues per product and region, and the agents' load, in pivot and
    graph views. Times are calendar hours from the opening (the SLA's working hours are on
    the case). A case's SLA is *met* when both its targets were done in time and
    *breached* when one of them was late or is overdue; ``sla_compliance`` is 100 for the
    first and 0 for the second, so that its average is the share of the decided cases
    that met their SLA. The rating is the case's last rating the customer gave
    (``rating_last_value`` of ``rating.mixin``), none when it has none.

    The rows follow the cases' record rules: the report's rules are the cases' (company,
    agent, department, all), written on the same columns.

    The query is built from :meth:`_select`, :meth:`_from` and :meth:`_where`, which a
    module extends through ``super()`` to add columns (and their fields) or joins.
    """

    _name = "crm.service.report.case"
    _description = "Service Analysis"
    _auto = False
    _rec_name = "case_id"
    _order = "date_open desc, id desc"
    _depends = {
        "crm.service.case": [
            "company_id",
            "team_id",
            "user_id",
            "create_uid",
            "channel",
            "case_type",
            "type_id",
            "priority",
            "state",
            "partner_id",
            "product_id",
            "date_open",
            "date_first_response",
            "date_closed",
            "sla_response_status",
            "sla_resolution_status",
            "rating_last_value",
        ],
        "res.partner": ["country_id", "state_id"],
    }

    case_id = fields.Many2one("crm.service.case", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.service.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    logged_by_id = fields.Many2one("res.users", string="Logged by", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    case_type = fields.Selection(KINDS, string="Type", readonly=True)
    type_id = fields.Many2one("crm.service.case.type", string="Case Type", readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    state = fields.Selection(
        CASE_STATES,
        string="Status",
        readonly=True,
    )
    product_id = fields.Many2one("product.product", readonly=True, help="What the case is about.")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    region_id = fields.Many2one("res.country.state", readonly=True)
    date_open = fields.Datetime(string="Opened", readonly=True)
    date_first_response = fields.Datetime(string="First Response", readonly=True)
    date_closed = fields.Datetime(string="Closed", readonly=True)
    sla_response_status = fields.Selection(SLA_STATUSES, string="Response SLA", readonly=True)
    sla_resolution_status = fields.Selection(SLA_STATUSES, string="Resolution SLA", readonly=True)
    nbr = fields.Integer(string="# Cases", readonly=True)
    open = fields.Integer(string="Open Cases", readonly=True, help="Cases new, in progress or waiting on the customer.")
    response_hours = fields.Float(
        string="Response Time (Hours)",
        readonly=True,
        aggregator="avg",
        help="Calendar hours from the opening to the first response.",
    )
    resolution_hours = fields.Float(
        string="Resolution Time (Hours)",
        readonly=True,
        aggregator="avg",
        help="Calendar hours from the opening to the resolution, for the solved cases.",
    )
    sla_met = fields.Integer(string="SLA Met", readonly=True, help="Cases whose two targets were done in time.")
    sla_breached = fields.Integer(
        string="SLA Breached", readonly=True, help="Cases with a target done late or overdue."
    )
    sla_compliance = fields.Float(
        string="SLA Compliance (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the cases whose SLA is decided (met or breached) that met it.",
    )
    rating = fields.Float(readonly=True, aggregator="avg", help="The last rating the customer gave the case (1 to 5).")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    def _query(self):
        return SQL("SELECT %s FROM %s WHERE %s", self._select(), self._from(), self._where())

    def _select(self):
        met = SQL("c.sla_response_status = 'met' AND c.sla_resolution_status = 'met'")
        breached = SQL("'breached' IN (c.sla_response_status, c.sla_resolution_status)")
        return SQL(
            """
                   c.id,
                   c.id AS case_id,
                   c.company_id,
                   c.team_id,
                   c.user_id,
                   c.create_uid AS logged_by_id,
                   c.channel,
                   c.case_type,
                   c.type_id,
                   c.priority,
                   c.state,
                   c.product_id,
                   c.partner_id,
                   p.country_id,
                   p.state_id AS region_id,
                   c.date_open,
                   c.date_first_response,
                   c.date_closed,
                   c.sla_response_status,
                   c.sla_resolution_status,
                   1 AS nbr,
                   CASE WHEN c.state IN %(open_states)s THEN 1 ELSE 0 END AS open,
                   EXTRACT(EPOCH FROM c.date_first_response - c.date_open) / 3600.0 AS response_hours,
                   EXTRACT(EPOCH FROM c.date_closed - c.date_open) / 3600.0 AS resolution_hours,
                   CASE WHEN %(met)s THEN 1 ELSE 0 END AS sla_met,
                   CASE WHEN %(breached)s THEN 1 ELSE 0 END AS sla_breached,
                   CASE WHEN %(breached)s THEN 0.0 WHEN %(met)s THEN 100.0 END AS sla_compliance,
                   NULLIF(c.rating_last_value, 0) AS rating
            """,
            open_states=OPEN_STATES,
            met=met,
            breached=breached,
        )

    def _from(self):
        # a left join: a grouping that reads no column of the customer skips it
        return SQL(
            """
                   crm_service_case c
              LEFT JOIN res_partner p ON p.id = c.partner_id
            """
        )

    def _where(self):
        return SQL("TRUE")
