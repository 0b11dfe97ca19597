from . import mapper
from . import pdm
