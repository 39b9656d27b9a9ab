"""Console routes (filled in by the console package)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse


def install(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/docs")
