from . import crm_workflow_start
from . import crm_workflow_workitem_reassign
