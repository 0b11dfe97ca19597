from . import test_crm_dss_report_company
from . import test_security
from . import test_tour
