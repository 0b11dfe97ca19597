from . import crm_workflow_report_activity
