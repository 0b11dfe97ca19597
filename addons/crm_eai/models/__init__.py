from . import crm_eai_backend
from . import crm_eai_mapping
from . import crm_eai_mapping_line
from . import crm_eai_binding
from . import crm_eai_exchange
from . import crm_eai_key
from . import sale_order
