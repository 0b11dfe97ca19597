from . import crm_service_case
