from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

from ..lib import indicators


class CrmDssIndicator(models.AbstractModel):
    """The indicators early warnings watch: one value per company for one period.

    Each is read in one or two grouped queries over every company of a scope, as
    superuser (the figures cover every document of the companies). The indicators of an
    optional add-on are offered only when it is installed (``crm.dss.scope._dss_installed``).
    Counts and amounts are 0 for a company without documents; rates and returns have no
    value then (nothing to compare, no alert).
    """

    _name = "crm.dss.indicator"
    _description = "Decision Support Indicator"

    @api.model
    def _dss_indicator_labels(self):
        return {
            "complaint_count": self.env._("Complaints"),
            "satisfaction_rate": self.env._("Satisfaction rate (%)"),
            "sla_breaches": self.env._("SLA breaches"),
            "conversion_rate": self.env._("Lead conversion rate (%)"),
            "overdue_receivables": self.env._("Overdue receivables"),
            "campaign_roi": self.env._("Campaign ROI (%)"),
        }

    @api.model
    def _dss_available(self):
        """Codes of the indicators whose add-on is installed."""
        Scope = self.env["crm.dss.scope"]
        return [
            code
            for code, indicator in indicators.INDICATORS.items()
            if not indicator.model or Scope._dss_installed(indicator.model)
        ]

    @api.model
    def _dss_indicator_selection(self):
        labels = self._dss_indicator_labels()
        return [(code, labels[code]) for code in self._dss_available()]

    @api.model
    def _dss_indicator_values(self, code, scope, date_from, date_to):
        """``{company_id: value}`` of indicator ``code`` over ``scope`` from ``date_from``
        to ``date_to`` (both included).

        :raise ValueError: the indicator is unknown or its add-on is not installed
        """
        if code not in self._dss_available():
            raise ValueError(f"indicator {code!r} is unknown or its add-on is not installed")
        if not scope.company_ids:
            return {}
        values = getattr(self, f"_dss_value_{code}")(scope, date_from, date_to)
        if indicators.INDICATORS[code].kind in (indicators.COUNT, indicators.AMOUNT):
            return {company_id: values.get(company_id, 0.0) for company_id in scope.company_ids}
        return {company_id: value for company_id, value in values.items() if value is not None}

    # Readers ---------------------------------------------------------------------------

    def _dss_datetimes(self, date_from, date_to):
        """The datetimes (UTC) bounding the days ``date_from`` to ``date_to``: [start, stop)."""
        return self.env["crm.dss.scope"]._dss_day_bounds(date_from, date_to)

    def _dss_count(self, model, scope, domain):
        Model = self.env[model].sudo().with_context(active_test=False)  # sudo: figures over every document
        full = [*self.env["crm.dss.scope"]._dss_domain(scope, user_field="user_id"), *domain]
        return {company.id: count for company, count in Model._read_group(full, ["company_id"], ["__count"])}

    def _dss_value_complaint_count(self, scope, date_from, date_to):
        start, stop = self._dss_datetimes(date_from, date_to)
        return self._dss_count(
            "crm.service.case",
            scope,
            [("case_type", "=", "complaint"), ("date_open", ">=", start), ("date_open", "<", stop)],
        )

    def _dss_value_sla_breaches(self, scope, date_from, date_to):
        """Cases with a response or resolution target breached whose deadline fell in the period."""
        start, stop = self._dss_datetimes(date_from, date_to)
        return self._dss_count(
            "crm.service.case",
            scope,
            [
                "|",
                "&",
                ("sla_response_status", "=", "breached"),
                "&",
                ("sla_response_deadline", ">=", start),
                ("sla_response_deadline", "<", stop),
                "&",
                ("sla_resolution_status", "=", "breached"),
                "&",
                ("sla_resolution_deadline", ">=", start),
                ("sla_resolution_deadline", "<", stop),
            ],
        )

    def _dss_value_satisfaction_rate(self, scope, date_from, date_to):
        """Share of the ratings of cases given in the period that are satisfied (4 or 5).

        In SQL: a rating names its case by model and id, which ``_read_group`` cannot follow
        to the case's company.
        """
        start, stop = self._dss_datetimes(date_from, date_to)
        user_filter = SQL("AND c.user_id IN %s", tuple(scope.user_ids or (0,))) if not scope.whole_companies else SQL()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.company_id,
                       COUNT(*) FILTER (WHERE r.rating >= %(satisfied)s),
                       COUNT(*)
                  FROM rating_rating r
                  JOIN crm_service_case c ON c.id = r.res_id
                 WHERE r.res_model = 'crm.service.case'
                   AND r.consumed
                   AND r.rating > 0
                   AND r.write_date >= %(start)s AND r.write_date < %(stop)s
                   AND c.company_id IN %(companies)s
                   %(user_filter)s
              GROUP BY c.company_id
                """,
                satisfied=indicators.SATISFIED_RATING,
                start=start,
                stop=stop,
                companies=tuple(scope.company_ids),
                user_filter=user_filter,
            )
        )
        return {company_id: indicators.percent(good, total) for company_id, good, total in self.env.cr.fetchall()}

    def _dss_value_conversion_rate(self, scope, date_from, date_to):
        """Won leads in percent of the leads closed (won or lost) in the period."""
        start, stop = self._dss_datetimes(date_from, date_to)
        closed = [("date_closed", ">=", start), ("date_closed", "<", stop)]
        counts = self._dss_count("crm.lead", scope, closed)
        won = self._dss_count("crm.lead", scope, [*closed, ("active", "=", True), ("probability", ">=", 100)])
        return {company_id: indicators.percent(won.get(company_id, 0), total) for company_id, total in counts.items()}

    def _dss_value_overdue_receivables(self, scope, date_from, date_to):
        """What is overdue at the end of the period (the suite's one overdue rule)."""
        receivables = self.env["account.move.line"]._crm_dss_receivables(scope, today=date_to)
        return {company_id: figures["overdue"] for company_id, figures in receivables.items()}

    def _dss_value_campaign_roi(self, scope, date_from, date_to):
        """The lowest ROI of the companies' campaigns running in the period that cost something."""
        Campaign = self.env["crm.marketing.campaign"].sudo()  # sudo: figures over every campaign
        campaigns = Campaign.search(
            [
                ("company_id", "in", list(scope.company_ids)),
                ("state", "in", ("running", "done")),
                "|",
                ("date_start", "=", False),
                ("date_start", "<=", date_to),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", date_from),
            ]
        )
        lowest = defaultdict(list)
        for campaign in campaigns:
            if campaign.actual_cost:
                lowest[campaign.company_id.id].append(campaign.roi)
        return {company_id: min(values) for company_id, values in lowest.items()}
