from __future__ import annotations

from enum import StrEnum


class DispatchMode(StrEnum):
    MANUAL = "manual"  # 手动分配, the default
    WHOLE_STORE = "whole_store"  # 全店自动分配: every line to the default supplier
    BY_PRODUCT = "by_product"  # 按商品分配: a SKU rule, else a product rule


class RuleKind(StrEnum):
    PRODUCT = "product"  # keyed by spu_code
    SKU = "sku"  # keyed by sku_code
