from . import crm_event
from . import hr_employee
