from . import crm_dss_directive_task
from . import crm_dss_marketing_statement
