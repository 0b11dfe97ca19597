from . import crm_service_case
from . import crm_service_article_category
from . import crm_service_article
from . import crm_service_article_query
from . import crm_service_contract
from . import crm_service_contract_line
from . import crm_service_asset
from . import crm_service_asset_reading
