"""18.0.1.0 -> 18.0.1.1: a campaign's actual cost becomes the sum of its cost lines.

Keep the amount typed in before, which the new computation would reset to nothing:
``post-migrate`` turns it into a cost line.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not column_exists(cr, "crm_marketing_campaign", "actual_cost"):
        return
    cr.execute(SQL("ALTER TABLE crm_marketing_campaign ADD COLUMN IF NOT EXISTS crm_legacy_actual_cost numeric"))
    cr.execute(SQL("UPDATE crm_marketing_campaign SET crm_legacy_actual_cost = actual_cost WHERE actual_cost > 0"))
