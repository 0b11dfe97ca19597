"""18.0.1.0 -> 18.0.1.1: the actual cost typed in before becomes a cost line; the campaigns'
multi-company rule (noupdate data) lets the branch that runs a campaign read it."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    if column_exists(cr, "crm_marketing_campaign", "crm_legacy_actual_cost"):
        cr.execute(
            SQL("SELECT id, crm_legacy_actual_cost FROM crm_marketing_campaign WHERE crm_legacy_actual_cost > 0")
        )
        rows = cr.fetchall()
        env["crm.marketing.cost.line"].create(
            [
                {"campaign_id": campaign_id, "name": "Spent before cost lines", "actual_amount": amount}
                for campaign_id, amount in rows
            ]
        )
        cr.execute(SQL("ALTER TABLE crm_marketing_campaign DROP COLUMN crm_legacy_actual_cost"))
    rule = env.ref("crm_marketing.crm_marketing_campaign_rule_company", raise_if_not_found=False)
    if rule:
        rule.write(
            {
                "name": "Campaigns: multi-company (planning company or the branch that runs it)",
                "domain_force": "['|', ('company_id', 'in', company_ids), ('executing_company_id', 'in', company_ids)]",
            }
        )
