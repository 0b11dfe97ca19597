from . import crm_handover
from . import crm_credit_override_confirm
