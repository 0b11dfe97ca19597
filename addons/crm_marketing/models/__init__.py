from . import crm_marketing_campaign
