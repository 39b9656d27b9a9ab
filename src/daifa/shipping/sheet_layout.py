"""The shipping file's columns, the messages of its row codes, and its template."""

from __future__ import annotations

from daifa.sheets.messages import N_
from daifa.sheets.table import Column, Layout
from daifa.sheets.write import Template
from daifa.shipping.carriers import CARRIERS

LAYOUT = Layout(
    columns=(
        Column("dispatch_order_no", N_("dispatch_order_no"), "代发单号", ("订单号", "代发单编号"),
               is_id=True),
        Column("carrier", N_("carrier"), "快递公司", ("carrier_code", "物流公司")),
        Column("tracking_no", N_("tracking_no"), "快递单号", ("运单号", "物流单号"), is_id=True),
        Column("sku_code", N_("sku_code"), "SKU编码", ("sku",), is_id=True),
        Column("quantity", N_("quantity"), "数量", ("qty",)),
    ),
    required=(("dispatch_order_no",), ("carrier",), ("tracking_no",)),
    together=(("sku_code", "quantity"),),
)
MESSAGES = {
    "INVALID_DISPATCH_ORDER_NO": N_("A dispatch order number is up to 64 letters, digits, '-' "
                                    "or '_'"),
    "UNKNOWN_CARRIER": N_("Unknown carrier '%(text)s'; use one of: %(accepted)s"),
    "INVALID_TRACKING_NO": N_("Tracking number '%(text)s' must be 6-40 letters, digits or '-'"),
    "DUPLICATE_ROW": N_("Repeats row %(row)s"),
    "TRACKING_NO_REUSED": N_("Row %(row)s already uses this tracking number for dispatch order "
                             "%(no)s"),
    "DISPATCH_ORDER_NOT_FOUND": N_("No dispatch order of yours has this number"),
    "TRACKING_NO_IN_USE": N_("This tracking number is already used by another dispatch order"),
    "LINE_NOT_FOUND": N_("Dispatch order %(no)s has no SKU %(sku)s"),
    "INVALID_TRANSITION": N_("Dispatch order %(no)s is %(status)s; it ships once accepted"),
    "DISPATCH_ORDER_ON_HOLD": N_("Dispatch order %(no)s is on hold (%(reason)s)"),
    "NOTHING_LEFT_TO_SHIP": N_("Nothing of dispatch order %(no)s is left to ship"),
    "QUANTITY_EXCEEDS_REMAINING": N_("Only %(n)s unit(s) of %(sku)s left to ship"),
}
STATUSES = {
    "ready": N_("ready"),
    "shipped": N_("shipped"),
    "already_shipped": N_("already shipped"),
    "error": N_("error"),
}
TEMPLATE_ROWS = 5000  # rows pre-formatted as text and offered the carrier list
_HELP = (
    "填写说明 / How to fill in",
    "1. 每行一个包裹：代发单号、快递公司、快递单号必填。",
    "   One parcel per row: dispatch order no., carrier and tracking no. are required.",
    "2. 快递公司可填代码或中文名：" + "、".join(f"{c.code} {c.name}" for c in CARRIERS),
    "   Carrier: a code or a Chinese name as listed.",
    "3. 部分发货时填写 SKU编码 和 数量；不填则发出该代发单剩余的全部商品。",
    "   For partial shipments fill in SKU code and quantity; leave both empty to ship all that is"
    " left.",
    "4. 单号请保持文本格式，不要让 Excel 转成科学计数法（如 1.23E+18）。",
    "   Keep numbers as text so Excel does not turn them into 1.23E+18.",
    "5. 同一文件重复上传不会重复发货。Uploading the same file again ships nothing twice.",
)
TEMPLATE = Template(
    columns=tuple(LAYOUT.names()),
    titles={"zh": "发货", "en": "shipments"},
    notes=_HELP,
    choices={"carrier": [c.name for c in CARRIERS]},
    widths={"dispatch_order_no": 24, "carrier": 14, "tracking_no": 24, "sku_code": 20,
            "quantity": 8},
    text_rows=TEMPLATE_ROWS,
)
