from . import crm_dss_report_company
