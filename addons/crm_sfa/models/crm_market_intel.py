from odoo import api, fields, models


class CrmMarketIntel(models.Model):
    """A piece of market intelligence: industry news, a competitor's move, a price change,
    a regulation... gathered by the sales management and linked to the competitors,
    opportunities and regions it concerns."""

    _name = "crm.market.intel"
    _description = "Market Intelligence"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    kind = fields.Selection(
        [
            ("industry", "Industry News"),
            ("competitor", "Competitor Activity"),
            ("product", "Product"),
            ("pricing", "Pricing"),
            ("regulation", "Regulation"),
            ("other", "Other"),
        ],
        required=True,
        default="industry",
        tracking=True,
    )
    source = fields.Char(help="Where the information comes from: a publication, a customer, a trade fair...")
    url = fields.Char(string="URL")
    description = fields.Html()
    competitor_ids = fields.Many2many(
        "res.partner",
        "crm_market_intel_competitor_rel",
        "intel_id",
        "partner_id",
        string="Competitors",
        domain="[('crm_is_competitor', '=', True)]",
    )
    opportunity_ids = fields.Many2many(
        "crm.lead",
        "crm_market_intel_lead_rel",
        "intel_id",
        "lead_id",
        string="Opportunities",
        domain="[('type', '=', 'opportunity')]",
        check_company=True,
    )
    country_ids = fields.Many2many("res.country", string="Countries")
    state_ids = fields.Many2many(
        "res.country.state",
        string="States",
        domain="[('country_id', 'in', country_ids)]",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    user_id = fields.Many2one(
        "res.users",
        string="Author",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    tag_ids = fields.Many2many("crm.tag", "crm_market_intel_tag_rel", "intel_id", "tag_id", string="Tags")

    @api.onchange("country_ids")
    def _onchange_country_ids(self):
        self.state_ids = self.state_ids.filtered(lambda state: state.country_id in self.country_ids)
