from . import crm_service_case_transfer
from . import crm_service_intake
