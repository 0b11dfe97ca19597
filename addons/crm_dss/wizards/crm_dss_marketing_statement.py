from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmDssMarketingStatement(models.TransientModel):
    """Chooses the sales teams and the period of a marketing statement, prints it as PDF or XLSX.

    The figures come from ``crm.dss.statement._dss_marketing_statement`` (read when the
    report renders, as the user who prints it): sales managers, department managers and
    executives only.
    """

    _name = "crm.dss.marketing.statement"
    _description = "Marketing Statement"

    def _default_date_from(self):
        return fields.Date.context_today(self).replace(day=1)

    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Teams",
        required=True,
        help="The sales departments whose statement is printed, one section each.",
    )
    date_from = fields.Date(string="From", required=True, default=lambda self: self._default_date_from())
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to and wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("Choose a period whose start date comes before its end date."))

    def action_print_pdf(self):
        """The marketing statement of the chosen teams and period, as a PDF."""
        self.ensure_one()
        self.check_access("read")
        return self.env.ref("crm_dss.crm_dss_marketing_statement_report").report_action(self)

    def action_export_xlsx(self):
        """The marketing statement of the chosen teams and period, as an XLSX workbook."""
        self.ensure_one()
        self.check_access("read")
        return self.env.ref("crm_dss.crm_dss_marketing_statement_report_xlsx").report_action(self)

    def _dss_statements(self):
        """``[(wizard, [statement per team])]`` of the wizards, read as the current user."""
        Statement = self.env["crm.dss.statement"]
        return [
            (wizard, Statement._dss_marketing_statement(wizard.team_ids, wizard.date_from, wizard.date_to))
            for wizard in self
        ]

    @api.model
    def _dss_period_label(self, date_from, date_to):
        return f"{date.isoformat(date_from)} - {date.isoformat(date_to)}"
