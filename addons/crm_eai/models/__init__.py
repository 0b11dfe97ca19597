from . import crm_eai_backend
