from . import crm_dss_customer_dossier
from . import crm_dss_decision_report_xlsx
from . import crm_dss_marketing_statement_report
from . import crm_dss_report_company
