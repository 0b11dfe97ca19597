from . import crm_segment_import_line
from . import crm_segment_import
