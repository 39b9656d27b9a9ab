"""Accounts, sign-in, sessions and API keys."""
