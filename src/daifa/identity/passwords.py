"""Argon2id hashing, with a dummy verify so unknown logins cost the same time."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PROFILES = {
    "rfc_9106_low_memory": profiles.RFC_9106_LOW_MEMORY,  # production default
    "cheapest": profiles.CHEAPEST,  # test suites only: same algorithm, minimal cost
}


class _Hasher:
    def __init__(self) -> None:
        self.use("rfc_9106_low_memory")

    def use(self, profile: str) -> None:
        self.hasher = PasswordHasher.from_parameters(PROFILES[profile])
        self.dummy = self.hasher.hash("daifa-dummy-password")


_state = _Hasher()


def use_profile(profile: str) -> None:
    """Choose the cost profile (settings `password_profile`); hashes of any profile verify."""
    if profile not in PROFILES:
        raise ValueError(f"unknown password profile {profile!r}; one of {sorted(PROFILES)}")
    _state.use(profile)


def hash_password(password: str) -> str:
    return _state.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _state.hasher.verify(password_hash or _state.dummy, password) and bool(
            password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _state.hasher.check_needs_rehash(password_hash)
