from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from daifa.dispatch.labels import Label, LabelLine, render_label, render_labels


def label(number: int, *, tracking: bool = True) -> Label:
    return Label(
        dispatch_order_no=f"DO2026010100{number:04d}",
        recipient_name="林晓梅",
        recipient_phone="18312342807",
        recipient_address="广东省 深圳市 南山区 粤海街道科技园南区深南大道9988号 创维大厦A座 "
                          "1203室",
        sender_region="浙江省 金华市 义乌市",
        lines=[LabelLine("TSHIRT-WHT-L", 2, "纯棉白色T恤 L码"), LabelLine("6901234567890", 1)],
        carrier="顺丰 SF" if tracking else None,
        tracking_no="SF1234567890123" if tracking else None,
        ship_by=datetime(2026, 1, 2, 4, 0, tzinfo=UTC),
        note="易碎品 <轻拿轻放> & 勿压",
    )


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def test_one_label_is_a_one_page_pdf_with_the_cjk_font() -> None:
    pdf = render_label(label(1))
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    assert b"/STSong-Light" in pdf


@pytest.mark.parametrize("count", [2, 5, 30])
def test_bulk_labels_are_one_page_per_dispatch_order(count: int) -> None:
    pdf = render_labels([label(n, tracking=n % 2 == 0) for n in range(count)])
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == count


def test_rendering_is_deterministic() -> None:
    assert render_label(label(1)) == render_label(label(1))
    assert render_label(label(1)) != render_label(label(2))


def test_no_labels_is_an_error() -> None:
    with pytest.raises(ValueError, match="no labels"):
        render_labels([])


def test_non_ascii_numbers_and_empty_lines_still_render() -> None:
    odd = Label("代发-1", "张三", "138", "北京", "上海", lines=[], tracking_no="不是ASCII")
    assert page_count(render_label(odd)) == 1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_chinese_text_is_extractable(tmp_path: Path) -> None:
    path = tmp_path / "labels.pdf"
    path.write_bytes(render_labels([label(1), label(2)]))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    for expected in ("收件人", "林晓梅", "18312342807", "深南大道9988号", "浙江省", "最晚发货",
                     "2026-01-02 12:00", label(1).dispatch_order_no, label(2).dispatch_order_no,
                     "TSHIRT-WHT-L", "SF1234567890123", "<轻拿轻放> & 勿压"):
        assert expected in text, expected
    assert text.count("\f") == 2  # page breaks
