from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from daifa.kit.inputs import VISIBLE


class ShopIn(BaseModel):
    name: str = Field(min_length=1, max_length=120, pattern=VISIBLE, examples=["小王的好物店"])


class ShopOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    shop_id: str
    name: str
    created_at: datetime


class ShopList(BaseModel):
    items: list[ShopOut]
