from . import crm_marketing_campaign
from . import crm_marketing_rfm_score
from . import crm_marketing_rfm_settings
from . import res_company
from . import res_partner
