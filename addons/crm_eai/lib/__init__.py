"""Plain-Python cores of the integration: no ORM here, only data in and out.

- :mod:`.xmlsafe`: hardened XML parsing, the exchange schema and zeep's safe settings;
- :mod:`.records`: the contract's records to and from plain Python (SOAP and batch files);
- :mod:`.soap`: the SOAP adapter, the only code that talks to zeep.
"""
