"""Plain-Python cores of decision support: no ORM here, only data in and out."""
