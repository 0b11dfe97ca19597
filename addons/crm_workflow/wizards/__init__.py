from . import crm_workflow_start
from . import crm_workflow_workitem_reassign
from . import crm_workflow_simulation
from . import crm_workflow_simulation_line
from . import crm_contact_channel_refuse
