from . import test_crm_marketing_campaign
from . import test_performance
from . import test_security
from . import test_tour
