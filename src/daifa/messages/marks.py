"""The extraction mark, kept apart so the catalog's parts can use it without a cycle."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message id for extraction (Babel looks for `N_`); translated where it is shown."""
    return message
