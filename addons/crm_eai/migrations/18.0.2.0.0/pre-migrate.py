"""18.0.1 -> 18.0.2: the system's kind and its addresses by protocol."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not column_exists(cr, "crm_eai_backend", "system_type"):
        return
    cr.execute(SQL("ALTER TABLE crm_eai_backend RENAME COLUMN system_type TO kind"))
    cr.execute(SQL("ALTER TABLE crm_eai_backend ADD COLUMN IF NOT EXISTS wsdl_url varchar"))
    cr.execute(SQL("ALTER TABLE crm_eai_backend ADD COLUMN IF NOT EXISTS folder_in varchar"))
    cr.execute(SQL("UPDATE crm_eai_backend SET wsdl_url = url WHERE protocol = 'soap'"))
    cr.execute(SQL("UPDATE crm_eai_backend SET folder_in = url, protocol = 'folder' WHERE protocol = 'xml'"))
