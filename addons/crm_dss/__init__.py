from . import models
from . import report
from . import wizards
from .models.crm_dss_ledger import UNINSTALL


def uninstall_hook(env):
    """Drop the ledger's triggers and table: they are not an ORM model's, nothing else would."""
    env.cr.execute(UNINSTALL)
