"""The ASGI factory for `daifa serve` and other servers: `daifa.api.asgi:build`."""

from __future__ import annotations

from fastapi import FastAPI

from daifa.api.app import create_app
from daifa.config import load_settings


def build() -> FastAPI:
    return create_app(load_settings())
