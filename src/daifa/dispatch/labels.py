"""Packing slips / shipping labels as PDF: one 100 × 150 mm page per dispatch order, several in
one file for bulk printing.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe-GB1): nothing to install or
embed, and every PDF viewer maps it to a local Song/Ming face. Input is plain data; whether the
caller may see the full recipient (only while accepted or partially shipped, each reveal recorded)
is the service's decision, not this module's.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

FONT = "STSong-Light"
PAGE_SIZE = (100 * mm, 150 * mm)
MARGIN = 4 * mm
DEFAULT_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class LabelLine:
    sku_code: str
    quantity: int
    title: str = ""  # the supplier's product name, when known


@dataclass(frozen=True)
class Label:
    dispatch_order_no: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str  # province city district detail, as one line
    sender_region: str
    lines: Sequence[LabelLine] = field(default_factory=tuple)
    carrier: str | None = None  # a carrier name or code as it should be printed
    tracking_no: str | None = None
    ship_by: datetime | None = None  # timezone-aware
    note: str = ""


def render_label(label: Label, *, zone: str = DEFAULT_ZONE) -> bytes:
    return render_labels([label], zone=zone)


def render_labels(labels: Sequence[Label], *, zone: str = DEFAULT_ZONE) -> bytes:
    """One PDF, one page per label in the given order."""
    if not labels:
        raise ValueError("no labels to render")
    out = io.BytesIO()
    frame = Frame(MARGIN, MARGIN, PAGE_SIZE[0] - 2 * MARGIN, PAGE_SIZE[1] - 2 * MARGIN,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(out, pagesize=PAGE_SIZE, title="代发单 packing slips",
                          author="daifa", invariant=True,
                          pageTemplates=[PageTemplate("label", [frame])])
    story: list[Flowable] = []
    tz = ZoneInfo(zone)
    for index, label in enumerate(labels):
        if index:
            story.append(PageBreak())
        story.extend(_label_story(label, tz))
    doc.build(story)
    return out.getvalue()


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))

    def style(name: str, size: float, leading: float) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=leading,
                              alignment=TA_LEFT, wordWrap="CJK")

    return {"title": style("title", 13, 16), "big": style("big", 12, 15),
            "body": style("body", 9, 12), "small": style("small", 7.5, 9.5)}


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _label_story(label: Label, tz: ZoneInfo) -> list[Flowable]:
    s = _styles()
    story: list[Flowable] = [
        Paragraph(f"代发单 Packing slip　{_text(label.dispatch_order_no)}", s["title"]),
        _barcode(label.dispatch_order_no, 9 * mm),
        HRFlowable(width="100%", thickness=0.6, spaceBefore=2, spaceAfter=3),
        Paragraph(f"收件人：{_text(label.recipient_name)}　{_text(label.recipient_phone)}",
                  s["big"]),
        Paragraph(f"地址：{_text(label.recipient_address)}", s["big"]),
        Spacer(0, 2 * mm),
        Paragraph(f"发货地 Ship from：{_text(label.sender_region)}", s["body"]),
    ]
    if label.ship_by is not None:
        when = label.ship_by.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        story.append(Paragraph(f"最晚发货 Ship by：{when}", s["body"]))
    story.extend(_carrier_story(label))
    story.append(HRFlowable(width="100%", thickness=0.6, spaceBefore=3, spaceAfter=3))
    story.append(_lines_table(label.lines))
    if label.note:
        story.append(Spacer(0, 2 * mm))
        story.append(Paragraph(f"备注 Note：{_text(label.note)}", s["small"]))
    return story


def _carrier_story(label: Label) -> list[Flowable]:
    if not (label.carrier or label.tracking_no):
        return []
    s = _styles()
    text = f"快递 Carrier：{_text(label.carrier or '')}　单号：{_text(label.tracking_no or '')}"
    story: list[Flowable] = [Paragraph(text, s["body"])]
    if label.tracking_no:
        story.append(_barcode(label.tracking_no, 11 * mm))
    return story


def _barcode(value: str, height: float) -> Flowable:
    if not value.isascii():
        return Spacer(0, 0)
    modules = Code128(value, barWidth=1, quiet=False).width  # width in narrow bars
    bar_width = min(0.33 * mm, (PAGE_SIZE[0] - 2 * MARGIN) / modules)
    code: Flowable = Code128(value, barWidth=bar_width, barHeight=height, quiet=False,
                             humanReadable=False)
    return code


def _lines_table(lines: Sequence[LabelLine]) -> Table:
    s = _styles()
    rows = [[Paragraph("SKU编码", s["small"]), Paragraph("商品 Item", s["small"]),
             Paragraph("数量 Qty", s["small"])]]
    rows += [[Paragraph(_text(line.sku_code), s["body"]), Paragraph(_text(line.title), s["body"]),
              Paragraph(str(line.quantity), s["big"])] for line in lines]
    rows.append([Paragraph("合计 Total", s["small"]), "",
                 Paragraph(str(sum(line.quantity for line in lines)), s["big"])])
    width = PAGE_SIZE[0] - 2 * MARGIN
    table = Table(rows, colWidths=[width * 0.34, width * 0.48, width * 0.18], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, "#444444"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table
