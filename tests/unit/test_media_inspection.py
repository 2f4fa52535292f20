"""Media inspection: a file's type comes from its bytes, and must match what the upload claimed;
zip bombs, executables, decompression bombs and unreadable files are refused with the right problem."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys

import pytest
from PIL import Image

from eckospace.errors import UnsupportedType
from eckospace.http.problems import problem_for
from eckospace.media import documents
from eckospace.media.documents import (
    CSV,
    DOCX,
    MARKDOWN,
    ODT,
    PDF,
    PLAIN_TEXT,
    PPTX,
    XLSX,
    ArchiveLimits,
    identify_document,
)
from eckospace.media.errors import (
    EmptyDocument,
    ImageTooLarge,
    MediaRejected,
    UnreadableMedia,
    UnsafeArchive,
    UnsupportedMediaType,
)
from eckospace.media.filenames import MAX_BYTES, display_name
from eckospace.media.inspection import inspect_object, make_thumbnail
from tests.support import sample_files as samples


def identify(
    data: bytes | bytearray | memoryview, declared_type: str | None = None, filename: str | None = None, **limits: int
):
    return identify_document(data, declared_type=declared_type, filename=filename, limits=ArchiveLimits(**limits))


def rejection(data: bytes, declared_type: str | None = None, filename: str | None = None, **limits: int):
    with pytest.raises(MediaRejected) as caught:
        identify(data, declared_type, filename, **limits)
    return caught.value


# Documents: what the bytes are


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (samples.pdf_bytes, PDF),
        (samples.docx_bytes, DOCX),
        (samples.xlsx_bytes, XLSX),
        (samples.pptx_bytes, PPTX),
        (samples.odt_bytes, ODT),
    ],
)
def test_each_binary_document_type_is_known_by_its_bytes(build, expected):
    data = build()
    assert identify(data) == expected
    assert identify(data, expected.media_type, f"report{expected.extension}") == expected


def test_text_types_follow_the_declared_type_then_the_extension():
    text = b"name,amount\nalice,3\n"
    assert identify(text) == PLAIN_TEXT
    assert identify(text, "text/csv; charset=utf-8") == CSV
    assert identify(text, None, "Data.CSV") == CSV
    assert identify(text, "application/octet-stream", "notes.markdown") == MARKDOWN
    assert identify(b"# Title\n\n| a | b |\n", "text/markdown", "notes.md") == MARKDOWN
    assert identify(text, "application/vnd.ms-excel", "data.csv") == CSV  # what Windows browsers declare


def test_utf8_with_a_byte_order_mark_tab_and_form_feed_is_text():
    assert identify("\ufeffcafé\tcrème\r\n\x0cpage two\n".encode()) == PLAIN_TEXT
    assert identify(b"#!/bin/sh\necho hi\n") == PLAIN_TEXT


def test_bytearrays_and_memoryviews_are_identified_too():
    assert identify(memoryview(samples.docx_bytes())) == DOCX
    assert identify(bytearray(b"plain words\n")) == PLAIN_TEXT
    assert identify(memoryview(samples.pdf_bytes())[:]) == PDF


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (samples.executable_bytes(), "a Windows executable"),
        (samples.elf_bytes(), "an ELF executable"),
        (random.Random(7).randbytes(4096), "binary data"),
        (samples.png_bytes(), "a PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "a legacy Office file"),
        ("latin-1 caf\xe9\n".encode("latin-1"), "binary data"),
        ("UTF-16 text".encode("utf-16"), "binary data"),
    ],
)
def test_what_is_no_accepted_document_is_refused_as_such(data, looks_like):
    error = rejection(data)
    assert isinstance(error, UnsupportedMediaType) and problem_for(error).status == 415
    assert looks_like in error.detail and "accepted: PDF, DOCX" in error.detail


@pytest.mark.parametrize("text", [b"a\x00b\n", b"bell\x07\n", b"escape \x1b[31mred\n", b"vertical\x0btab\n"])
def test_text_with_control_characters_is_not_text(text):
    assert problem_for(rejection(text)).status == 415


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (samples.plain_zip_bytes(), "not an office document"),
        (samples.docx_bytes()[:-10], "cannot be read as one"),
        (samples.encrypted_zip_bytes(), "encrypted"),
        (samples.odt_bytes(b"application/vnd.oasis.opendocument.spreadsheet"), "not an office document"),
        (samples.docx_bytes({"word/vbaProject.bin": b"\x00" * 16}), "macros"),
    ],
)
def test_zips_that_are_not_accepted_office_documents_are_unsupported(data, says):
    error = rejection(data, filename="report.docx")
    assert problem_for(error).status == 415 and says in error.detail


def test_an_empty_file_is_unprocessable():
    for empty in (b"", bytearray(), memoryview(b"")):
        error = rejection(empty, "application/pdf", "report.pdf")
        assert isinstance(error, EmptyDocument) and problem_for(error).status == 422
    assert problem_for(error).type == "urn:eckospace:problem:empty-document"


# Documents: what the upload claimed


@pytest.mark.parametrize(
    ("data", "declared", "filename", "says"),
    [
        (samples.pdf_bytes(), DOCX.media_type, None, f"a PDF document, not {DOCX.media_type}"),
        (samples.pdf_bytes(), None, "x.docx", "a .docx file name"),
        (samples.pdf_bytes(), "application/pdf", "x.pdf.exe", "a .exe file name"),
        (samples.docx_bytes(), XLSX.media_type, "sheet.xlsx", "a Word document (DOCX), not"),
        (samples.executable_bytes(), "application/pdf", "report.pdf", "a Windows executable"),
        (b"a,b\n", "text/csv", "data.txt", "CSV text, which a .txt file name does not fit"),
        (b"<html><script>alert(1)</script></html>", "text/html", "page.html", "plain text, not text/html"),
        (b"plain words", None, "evil\u202efdp.exe", "a .exe file name"),
    ],
)
def test_a_declared_type_or_extension_the_bytes_contradict_is_unsupported(data, declared, filename, says):
    error = rejection(data, declared, filename)
    assert isinstance(error, UnsupportedMediaType) and says in error.detail


def test_media_rejections_are_the_apis_problems():
    error = rejection(samples.pdf_bytes(), DOCX.media_type)
    assert isinstance(error, UnsupportedType)
    assert problem_for(error).body()["type"] == "urn:eckospace:problem:unsupported-media-type"
    assert problem_for(error).body()["status"] == 415


def test_an_undeclared_type_or_a_name_without_extension_claims_nothing():
    assert identify(samples.pdf_bytes(), "application/octet-stream", "scan") == PDF
    assert identify(samples.pdf_bytes(), "", "") == PDF
    assert identify(samples.pdf_bytes(), "APPLICATION/PDF", "SCAN.PDF") == PDF


def test_the_upload_api_side_imports_neither_pillow_nor_pypdf():
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, eckospace.media.documents, eckospace.media.filenames;"
            "print(sorted(m for m in sys.modules if m.startswith(('PIL', 'pypdf'))))",
        ],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "[]"


def test_a_padded_pdf_is_exactly_its_size_and_still_a_pdf():
    data = samples.padded_pdf(200_000)
    assert len(data) == 200_000
    assert identify(data, "application/pdf", "big.pdf") == PDF
    assert inspect_object(data, declared_type="application/pdf").metadata == {"pages": 1}


# Archives: the limits


def test_a_zip_bomb_is_refused_from_its_recorded_sizes():
    error = rejection(samples.zip_bomb_bytes(), DOCX.media_type, "report.docx")
    assert isinstance(error, UnsafeArchive) and problem_for(error).status == 422
    assert problem_for(error).body()["check"] == "max_total_uncompressed"
    assert "more than 67108864 bytes" in error.detail
    assert problem_for(error).type == "urn:eckospace:problem:unsafe-archive"


def test_a_zip_whose_directory_understates_a_size_is_refused_when_inflated():
    error = rejection(samples.lying_zip_bytes(), DOCX.media_type, "report.docx")
    assert isinstance(error, UnsafeArchive) and error.extensions == {"check": "integrity"}
    assert "word/media/zeros.bin" in error.detail


def test_the_size_limit_counts_every_entry_together():
    photos = {f"word/media/photo{number}.bin": random.Random(number).randbytes(150_000) for number in range(2)}
    archive = samples.docx_bytes(photos)
    assert identify(archive, max_total_uncompressed=400_000) == DOCX
    assert rejection(archive, max_total_uncompressed=250_000).extensions == {"check": "max_total_uncompressed"}


def test_inflating_alone_stops_at_the_byte_budget(monkeypatch):
    monkeypatch.setattr(documents, "_check_recorded_sizes", lambda entries, limits: None)
    error = rejection(samples.zip_bomb_bytes(), DOCX.media_type)
    assert error.extensions == {"check": "max_total_uncompressed"} and "inflates to more than" in error.detail


def test_too_many_entries_are_refused_before_the_archive_is_parsed():
    many = {f"word/media/{number}.xml": b"<x/>" for number in range(1000)}
    assert rejection(samples.docx_bytes(many)).extensions == {"check": "max_entries"}
    assert identify(samples.docx_bytes(many), max_entries=1003) == DOCX


def test_a_high_compression_ratio_is_refused_even_under_the_size_limit():
    bomb = samples.zip_bomb_bytes(10)
    error = rejection(bomb, DOCX.media_type)
    assert error.extensions == {"check": "max_ratio"} and "100 to 1" in error.detail
    assert identify(bomb, max_ratio=2000) == DOCX


@pytest.mark.parametrize("name", ["../evil.xml", "word/../../evil.xml", "/etc/passwd", "C:\\evil.xml", "a\\..\\b"])
def test_entries_outside_the_archive_root_are_refused(name):
    error = rejection(samples.docx_bytes({name: b"x"}))
    assert isinstance(error, UnsafeArchive) and error.extensions == {"check": "entry_names"}


# File names


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("a\x00b\r\n.pdf", "ab.pdf"),
        ("..", "document.pdf"),
        (None, "document.pdf"),
        ("   ", "document.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("  my \t  big\u00a0 report .pdf ", "my big report .pdf"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("x\u2066y\u2069\x85z.pdf", "xyz.pdf"),
        ("cafe\u0301.pdf", "caf\u00e9.pdf"),
    ],
)
def test_display_names(filename, expected):
    assert display_name(filename, extension=".pdf") == expected


def test_long_display_names_keep_the_extension_and_whole_characters():
    name = display_name("é" * 300 + ".PDF", extension=".pdf")
    assert name == "é" * 125 + ".PDF"  # 254 bytes: the 126th "é" would not fit whole
    assert len(display_name("a" * 300, extension=".pdf").encode()) == MAX_BYTES
    assert display_name("", fallback_stem="notes", extension=".txt") == "notes.txt"


# Objects uploaded with a presigned POST


@pytest.mark.parametrize(
    ("data", "media_type", "kind", "metadata"),
    [
        (samples.png_bytes(64, 48), "image/png", "image", {"width": 64, "height": 48}),
        (samples.jpeg_bytes(30, 20), "image/jpeg", "image", {"width": 30, "height": 20}),
        (samples.gif_bytes(10, 12), "image/gif", "image", {"width": 10, "height": 12}),
        (samples.webp_bytes(16, 9), "image/webp", "image", {"width": 16, "height": 9}),
        (samples.mp4_bytes(), "video/mp4", "video", {}),
        (samples.mp4_bytes(b"qt  "), "video/quicktime", "video", {}),
        (samples.webm_bytes(), "video/webm", "video", {}),
        (samples.pdf_bytes(3), "application/pdf", "document", {"pages": 3}),
        (samples.docx_bytes(), DOCX.media_type, "document", {}),
        (b"a,b\n", "text/csv", "document", {}),
    ],
)
def test_objects_are_inspected(data, media_type, kind, metadata):
    inspection = inspect_object(data, declared_type=media_type)
    assert (inspection.media_type, inspection.kind, inspection.metadata) == (media_type, kind, metadata)


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (samples.png_bytes(), "image/jpeg"),
        (samples.jpeg_bytes(), "image/png"),
        (samples.mp4_bytes(), "video/webm"),
        (samples.webm_bytes(b"matroska"), "video/webm"),
        (samples.mp4_bytes(b"heic"), "video/mp4"),
        (samples.pdf_bytes(), "image/png"),
        (samples.png_bytes(), "application/octet-stream"),
        (b"a,b\n", "application/vnd.ms-excel"),  # accepted as an alias on upload, but not what the policy bound
        (samples.executable_bytes(), "video/mp4"),
    ],
)
def test_an_object_must_be_exactly_its_declared_type(data, declared):
    with pytest.raises(UnsupportedMediaType):
        inspect_object(data, declared_type=declared)


@pytest.mark.parametrize("data", [samples.png_header_bytes(8000, 6000), samples.png_header_bytes(20000, 20000)])
def test_decompression_bombs_are_refused_before_decoding(data):
    with pytest.raises(ImageTooLarge) as caught:
        inspect_object(data, declared_type="image/png")
    assert problem_for(caught.value).status == 422 and "40000000 pixels" in caught.value.detail
    with pytest.raises(ImageTooLarge):
        make_thumbnail(data)


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (samples.png_bytes(200, 200)[:-40], "image/png"),
        (samples.jpeg_bytes(400, 300)[:-300], "image/jpeg"),
        (samples.png_header_bytes(10, 10), "image/png"),
        (samples.png_with_a_bad_checksum(), "image/png"),
    ],
)
def test_truncated_or_corrupt_images_are_unreadable(data, declared):
    with pytest.raises(UnreadableMedia) as caught:
        inspect_object(data, declared_type=declared)
    assert problem_for(caught.value).status == 422 and "truncated or corrupt" in caught.value.detail


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (samples.encrypted_pdf_bytes(), "encrypted"),
        (b"%PDF-1.7\n" + random.Random(3).randbytes(2048), "truncated or corrupt"),
    ],
)
def test_pdfs_pypdf_cannot_read_are_refused(data, says):
    with pytest.raises(UnreadableMedia) as caught:
        inspect_object(data, declared_type="application/pdf")
    assert says in caught.value.detail


# Thumbnails


def open_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_a_thumbnail_is_a_jpeg_within_the_longest_side():
    thumbnail = open_image(make_thumbnail(samples.png_bytes(1000, 500)))
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (320, 160))
    assert open_image(make_thumbnail(samples.webp_bytes(400, 800), max_side=100)).size == (50, 100)
    assert open_image(make_thumbnail(samples.gif_bytes(20, 10))).size == (20, 10)  # never enlarged


def test_a_thumbnail_follows_the_exif_orientation():
    assert open_image(make_thumbnail(samples.jpeg_bytes(400, 200, orientation=6))).size == (160, 320)


@pytest.mark.parametrize(
    "data",
    [
        samples.png_bytes(40, 40, "RGBA", (0, 0, 0, 0)),
        samples.png_bytes(40, 40, "P", (0, 0, 0), transparency=0),
        samples.png_bytes(40, 40, "LA", (0, 0)),
    ],
)
def test_transparency_becomes_white_not_black(data):
    red, green, blue = open_image(make_thumbnail(data)).convert("RGB").getpixel((20, 20))
    assert min(red, green, blue) > 240


def test_a_thumbnail_of_what_is_no_image_is_refused():
    with pytest.raises(UnreadableMedia):
        make_thumbnail(samples.pdf_bytes())
