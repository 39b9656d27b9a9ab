from __future__ import annotations

from daifa.errors import NotFound


class ShopNotFound(NotFound):
    code = "SHOP_NOT_FOUND"
    title = "No such shop"
