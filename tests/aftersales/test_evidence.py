"""Evidence files: judged by their bytes, limited in size and pixels, kept once, read only by
the case's parties and platform admins."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient
from PIL import Image

from tests.aftersales.helpers import get_case, shipped
from tests.api.support import assert_problem, ok
from tests.factories import person


def png(width: int = 40, height: int = 30, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color=0).save(out, format="PNG")
    return out.getvalue()


def upload(client: TestClient, headers: dict[str, str], no: str, name: str, content: bytes,
           media_type: str = "image/png") -> object:
    return client.post(f"/api/v1/after-sales/{no}/evidence",
                       files={"file": (name, content, media_type)}, headers=headers)


def test_a_photo_from_each_side_is_kept_and_served_to_the_parties(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    photo = png()
    added = ok(upload(client, s.w.headers, no, "破损.png", photo), 201)
    assert (added["party"], added["media_type"], added["size"]) == ("shop", "image/png",
                                                                     len(photo))
    ok(upload(client, s.first.owner.headers, no, "../../etc/passwd.pdf",
              b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
              "application/pdf"), 201)
    case = ok(get_case(client, s.w, no))
    assert [(e["party"], e["filename"]) for e in case["evidence"]] == [
        ("shop", "破损.png"), ("supplier", "passwd.pdf")]
    assert [e["type"] for e in case["timeline"]].count("after_sale.evidence_added") == 2
    for who in (s.w.headers, s.first.owner.headers, s.w.platform.headers):
        served = client.get(added["url"], headers=who)
        assert served.status_code == 200 and served.content == photo
        assert served.headers["content-type"] == "image/png"
        assert served.headers["x-content-type-options"] == "nosniff"


def test_a_file_that_lies_about_what_it_is_is_refused(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    assert_problem(upload(client, s.w.headers, no, "photo.jpg", b"MZ\x90\x00 not an image",
                          "image/jpeg"), 422, "EVIDENCE_TYPE_NOT_ALLOWED")
    assert_problem(upload(client, s.w.headers, no, "photo.png", png()[:60]), 422,
                   "EVIDENCE_TYPE_NOT_ALLOWED")  # cut short
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    assert_problem(upload(client, s.w.headers, no, "anim.gif", gif.getvalue(), "image/gif"),
                   422, "EVIDENCE_TYPE_NOT_ALLOWED")
    assert ok(get_case(client, s.w, no))["evidence"] == []


def test_a_zip_bomb_and_a_pixel_bomb_are_refused(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (50 * 1024 * 1024))
    assert len(bomb.getvalue()) < 200_000
    assert_problem(upload(client, s.w.headers, no, "photo.jpg", bomb.getvalue(), "image/jpeg"),
                   422, "EVIDENCE_TYPE_NOT_ALLOWED")
    huge = png(10_000, 6_000, mode="1")  # 60 megapixels in a few kilobytes
    assert len(huge) < 200_000
    problem = assert_problem(upload(client, s.w.headers, no, "scan.png", huge), 413,
                             "EVIDENCE_TOO_LARGE")
    assert problem["max_megapixels"] == 50


def test_an_oversized_file_is_refused_before_it_is_read_whole(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    big = png() + b"\0" * (10 * 1024 * 1024)
    problem = assert_problem(upload(client, s.w.headers, no, "big.png", big), 413,
                             "EVIDENCE_TOO_LARGE")
    assert problem["limit_mb"] == 10


def test_strangers_get_404_for_the_case_and_its_files(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    added = ok(upload(client, s.w.headers, no, "a.png", png()), 201)
    stranger = person(client)
    assert_problem(client.get(added["url"], headers=stranger.headers), 404,
                   "AFTER_SALE_NOT_FOUND")
    assert_problem(upload(client, stranger.headers, no, "b.png", png()), 404,
                   "AFTER_SALE_NOT_FOUND")
    other = shipped(client, external_id="AS-2")
    other_no = other.opened("refund_only")["case_no"]
    # The evidence of one case is not reachable through another case's number.
    assert_problem(client.get(f"/api/v1/after-sales/{other_no}/evidence/{added['id']}",
                              headers=other.w.headers), 404, "EVIDENCE_NOT_FOUND")


def test_a_case_holds_at_most_twenty_files(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    for index in range(20):
        ok(upload(client, s.w.headers, no, f"{index}.png", png(10 + index)), 201)
    problem = assert_problem(upload(client, s.first.owner.headers, no, "21.png", png()), 409,
                             "EVIDENCE_LIMIT")
    assert problem["limit"] == 20
