"""Dispatch settings and rules per shop, and the resolver that routes order lines."""
