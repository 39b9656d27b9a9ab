"""daifa: a dropship supply-chain hub for social-commerce shops."""

__version__ = "0.1.0"
