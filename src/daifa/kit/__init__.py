"""Generic helpers with no knowledge of daifa's domain; imports nothing else from daifa."""
