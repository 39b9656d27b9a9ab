"""Engine factory, declarative base and the unit of work."""
