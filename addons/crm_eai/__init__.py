from . import components
from . import controllers
from . import models


def uninstall_hook(env):
    """The systems' job channels hang under the add-on's own: remove them first."""
    parent = env.ref("crm_eai.crm_eai_job_channel", raise_if_not_found=False)
    if parent:
        env["queue.job.channel"].search([("parent_id", "=", parent.id)]).unlink()
