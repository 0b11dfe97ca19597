from dateutil.relativedelta import relativedelta

from odoo import Command, fields, models
from odoo.exceptions import UserError

from ..lib.revenue_change import PARTS


class CrmMarketingRevenueChange(models.TransientModel):
    """Why revenue rose or fell between two periods, per segment and region.

    The user picks two periods of whole months (a date stands for its month); *Explain*
    splits the change of every company, RFM class and country into new, lost, grown and
    shrunk customers (:mod:`..lib.revenue_change`) from the market analysis, read with
    the user's rights, and opens the lines as a list and a pivot.
    """

    _name = "crm.marketing.revenue.change"
    _description = "Revenue Change"

    date_from_1 = fields.Date(string="Earlier Period From", required=True, default=lambda self: self._default_month(-6))
    date_to_1 = fields.Date(string="Earlier Period To", required=True, default=lambda self: self._default_month(-4))
    date_from_2 = fields.Date(string="Later Period From", required=True, default=lambda self: self._default_month(-3))
    date_to_2 = fields.Date(string="Later Period To", required=True, default=lambda self: self._default_month(-1))
    line_ids = fields.One2many("crm.marketing.revenue.change.line", "wizard_id", string="Changes", readonly=True)

    def _default_month(self, months):
        """The first day of the month ``months`` months from the current one (the last quarters)."""
        return fields.Date.context_today(self).replace(day=1) + relativedelta(months=months)

    def action_explain(self):
        """Compute the lines of the two periods and show them."""
        self.ensure_one()
        earlier = _months(self.date_from_1, self.date_to_1)
        later = _months(self.date_from_2, self.date_to_2)
        if earlier[0] > earlier[1] or later[0] > later[1]:
            raise UserError(self.env._("Each period must end on or after its start: correct the dates."))
        if earlier[1] >= later[0]:
            raise UserError(self.env._("The earlier period must end before the later one starts: correct the dates."))
        changes = self.env["crm.marketing.analysis"]._crm_revenue_change(earlier, later)
        self.line_ids = [Command.clear()] + [
            Command.create(
                {
                    "company_id": company.id,
                    "rfm_class": rfm_class,
                    "country_id": country.id,
                    "revenue_before": change.before,
                    "revenue_after": change.after,
                    "driver": change.driver,
                    **{f"{part}_revenue": getattr(change, part) for part in PARTS},
                    **{f"{part}_count": change.counts[part] for part in PARTS},
                }
            )
            for (company, rfm_class, country), change in changes.items()
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Revenue Change"),
            "res_model": "crm.marketing.revenue.change.line",
            "view_mode": "list,pivot,graph",
            "views": [(False, "list"), (False, "pivot"), (False, "graph")],
            "domain": [("wizard_id", "=", self.id)],
            "context": {"search_default_group_rfm_class": 1},
        }


def _months(date_from, date_to):
    """``(first month, last month)`` of a period: the first days of the months of its dates."""
    return date_from.replace(day=1), date_to.replace(day=1)
