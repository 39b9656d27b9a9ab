from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class SignupIn(BaseModel):
    login: str = Field(min_length=1, max_length=64, examples=["shop-owner"])
    password: str = Field(min_length=1, max_length=256)
    display_name: str = Field(min_length=1, max_length=80)


class TokenIn(BaseModel):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime | None = None


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    login: str
    display_name: str
    is_admin: bool
    created_at: datetime


class ApiKeyIn(BaseModel):
    name: str = Field(default="API key", min_length=1, max_length=80)


class ApiKeyOut(BaseModel):
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="Shown once; store it now.")


class ApiKeyList(BaseModel):
    items: list[ApiKeyOut]
