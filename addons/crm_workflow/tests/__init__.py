from . import test_crm_event
from . import test_security
from . import test_tour
