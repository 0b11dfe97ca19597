from . import crm_sfa_report_mixin
from . import crm_sfa_report_forecast
from . import crm_sfa_report_funnel
from . import crm_sfa_report_performance
