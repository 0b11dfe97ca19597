from . import test_i18n
from . import test_roles
from . import test_eai_case_statuses
from . import test_service_credit
from . import test_contact_preferences_paths
