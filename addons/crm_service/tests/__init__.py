from . import test_crm_service_case
from . import test_security
from . import test_tour
