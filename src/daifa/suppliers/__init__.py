"""Suppliers: onboarding, Supplier IDs and platform review."""
