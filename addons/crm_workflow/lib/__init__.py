"""Plain-Python cores of the workflow engine: no ORM here, only data in and out."""
