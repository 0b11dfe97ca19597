from . import test_crm_service_case
from . import test_security
from . import test_tour
from . import test_article
from . import test_sla
from . import test_asset
