from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from daifa.identity.rules import MAX_PASSWORD, MIN_PASSWORD
from daifa.kit.inputs import VISIBLE


class SignupIn(BaseModel):
    login: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@+-]{2,63}$",
                       examples=["shop-owner"],
                       description="letters, digits and . _ @ + -; stored lower-case")
    password: str = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)
    display_name: str = Field(min_length=1, max_length=80, pattern=VISIBLE)


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
    name: str = Field(default="API key", min_length=1, max_length=80, pattern=VISIBLE)


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
