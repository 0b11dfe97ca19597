from . import test_crm_eai_backend
from . import test_security
from . import test_tour
