from . import crm_service_report_case
