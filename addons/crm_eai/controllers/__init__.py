from . import soap
