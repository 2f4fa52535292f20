"""A document's type, decided from its own bytes; the declared media type and the file name's
extension must agree with it.

PDF is known by its `%PDF-` header. DOCX, XLSX, PPTX and ODT are ZIP archives, known by their
entries, and inflated in full under `ArchiveLimits` before they are accepted, so a zip bomb or an
archive whose directory lies is refused without its content ever being held in memory. Plain text,
CSV and Markdown are the same bytes to a machine (UTF-8 without control characters): the declared
type, else the extension, tells them apart.

Only the standard library is used here: the upload API imports this module on its cold start.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from eckospace.media import signatures
from eckospace.media.errors import EmptyDocument, UnsafeArchive, UnsupportedMediaType
from eckospace.media.filenames import extension_of

MiB = 1024 * 1024
UNDECLARED = "application/octet-stream"


@dataclass(frozen=True)
class DocumentType:
    """An accepted document type; `extension` is its usual extension, `extensions` all it may have."""

    media_type: str
    label: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other media types clients declare for it

    @property
    def extension(self) -> str:
        return self.extensions[0]

    def declared_as(self, media_type: str) -> bool:
        return media_type == self.media_type or media_type in self.aliases


PDF = DocumentType("application/pdf", "a PDF document", (".pdf",))
DOCX = DocumentType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a Word document (DOCX)", (".docx",)
)
XLSX = DocumentType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "an Excel workbook (XLSX)", (".xlsx",)
)
PPTX = DocumentType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "a PowerPoint presentation (PPTX)",
    (".pptx",),
)
ODT = DocumentType("application/vnd.oasis.opendocument.text", "an OpenDocument text (ODT)", (".odt",))
PLAIN_TEXT = DocumentType("text/plain", "plain text", (".txt",))
# Browsers on Windows declare .csv files with whatever the registry says, often Excel's type.
CSV = DocumentType("text/csv", "CSV text", (".csv",), aliases=("application/vnd.ms-excel", "application/csv"))
MARKDOWN = DocumentType("text/markdown", "Markdown text", (".md", ".markdown"), aliases=("text/x-markdown",))

DOCUMENT_TYPES = {kind.media_type: kind for kind in (PDF, DOCX, XLSX, PPTX, ODT, PLAIN_TEXT, CSV, MARKDOWN)}
ACCEPTED = "PDF, DOCX, XLSX, PPTX, ODT, plain text, CSV or Markdown"


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int = 1000
    max_total_uncompressed: int = 64 * MiB
    max_ratio: int = 100  # total uncompressed size over total compressed size


DEFAULT_LIMITS = ArchiveLimits()
_OOXML_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
_ODT_MIMETYPE = ODT.media_type.encode()
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
_READ_CHUNK = 64 * 1024
_INFLATE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)
# C0 controls other than tab, LF, FF and CR never occur in text.
_NOT_TEXT = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")


def declared_media_type(declared_type: str | None) -> str | None:
    """The bare, lower-cased media type (parameters dropped); None when nothing was really declared."""
    media_type = (declared_type or "").split(";")[0].strip().lower()
    return None if media_type in ("", UNDECLARED) else media_type


def identify_document(
    data: bytes | bytearray | memoryview,
    *,
    declared_type: str | None,
    filename: str | None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> DocumentType:
    """The document's type, from its bytes; raises a `MediaRejected` when it is none we accept,
    disagrees with `declared_type` or `filename`, is empty, or is an unsafe archive."""
    if not len(data):
        raise EmptyDocument("The file is empty.")
    declared, extension = declared_media_type(declared_type), extension_of(filename)
    detected = _detect(data, declared, extension, limits)
    if declared and not detected.declared_as(declared):
        raise UnsupportedMediaType(f"The content is {detected.label}, not {declared}.")
    if extension and extension not in detected.extensions:
        raise UnsupportedMediaType(
            f"The content is {detected.label}, which a {extension} file name does not fit"
            f" (expected {' or '.join(detected.extensions)})."
        )
    return detected


def _detect(
    data: bytes | bytearray | memoryview, declared: str | None, extension: str | None, limits: ArchiveLimits
) -> DocumentType:
    found = signatures.sniff(data)
    if found == signatures.PDF:
        return PDF
    if found == signatures.ZIP:
        return _office_document(data, limits)
    if _is_text(data):
        return _text_type(declared, extension)
    looks_like = found.description if found else "binary data of no known document format"
    raise UnsupportedMediaType(f"The content looks like {looks_like}; accepted: {ACCEPTED}.")


def _is_text(data: bytes | bytearray | memoryview) -> bool:
    if _NOT_TEXT.search(data):
        return False
    try:
        str(data, "utf-8")  # a UTF-8 byte order mark decodes too
    except UnicodeDecodeError:
        return False
    return True


def _text_type(declared: str | None, extension: str | None) -> DocumentType:
    text_types = (PLAIN_TEXT, CSV, MARKDOWN)
    by_declared = next((kind for kind in text_types if declared and kind.declared_as(declared)), None)
    by_extension = next((kind for kind in text_types if extension in kind.extensions), None)
    return by_declared or by_extension or PLAIN_TEXT


def _office_document(data: bytes | bytearray | memoryview, limits: ArchiveLimits) -> DocumentType:
    data = data if isinstance(data, bytes) else bytes(data)  # BytesIO shares a bytes object instead of copying
    # zipfile builds an object per directory entry before we could count them: bound the count first.
    if data.count(_CENTRAL_DIRECTORY_ENTRY) > limits.max_entries:
        raise UnsafeArchive(f"The archive holds more than {limits.max_entries} entries.", check="max_entries")
    with _open_archive(data) as archive:
        entries = archive.infolist()
        _check_recorded_sizes(entries, limits)
        _check_readable(entries)
        document_type = _office_type(archive)
        _inflate_all(archive, entries, limits)
    return document_type


def _open_archive(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UnsupportedMediaType(
            f"The content starts like a ZIP archive but cannot be read as one; accepted: {ACCEPTED}."
        ) from error


def _check_recorded_sizes(entries: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """What the central directory claims, checked before anything is inflated."""
    for entry in entries:
        parts = entry.filename.replace("\\", "/").split("/")
        if entry.filename.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
            raise UnsafeArchive(
                f"The archive holds an entry outside its root: {entry.filename!r}.", check="entry_names"
            )
    uncompressed = sum(entry.file_size for entry in entries)
    if uncompressed > limits.max_total_uncompressed:
        raise UnsafeArchive(
            f"The archive would inflate to more than {limits.max_total_uncompressed} bytes.",
            check="max_total_uncompressed",
        )
    if uncompressed > limits.max_ratio * max(1, sum(entry.compress_size for entry in entries)):
        raise UnsafeArchive(f"The archive is compressed more than {limits.max_ratio} to 1.", check="max_ratio")


def _check_readable(entries: list[zipfile.ZipInfo]) -> None:
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise UnsupportedMediaType(f"The archive is encrypted; accepted: {ACCEPTED}.")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsupportedMediaType(
                f"The archive uses a compression method office documents do not; accepted: {ACCEPTED}."
            )


def _office_type(archive: zipfile.ZipFile) -> DocumentType:
    names = set(archive.namelist())
    if "[Content_Types].xml" in names:
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise UnsupportedMediaType(f"The document contains macros; accepted: {ACCEPTED}, without macros.")
        for main_part, document_type in _OOXML_MAIN_PARTS.items():
            if main_part in names:
                return document_type
    if "mimetype" in names and _read_start(archive, "mimetype", len(_ODT_MIMETYPE) + 1) == _ODT_MIMETYPE:
        return ODT
    raise UnsupportedMediaType(f"The content is a ZIP archive, not an office document; accepted: {ACCEPTED}.")


def _read_start(archive: zipfile.ZipFile, name: str, size: int) -> bytes:
    with _inflating(archive, archive.getinfo(name)) as entry:
        return entry.read(size)


def _inflate_all(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """Inflates every entry, chunk by chunk, which checks each against its recorded size and CRC."""
    # zipfile stops an entry at its recorded size today; this budget does not count on it.
    budget = limits.max_total_uncompressed
    for info in entries:
        with _inflating(archive, info) as entry:
            while chunk := entry.read(_READ_CHUNK):
                budget -= len(chunk)
                if budget < 0:
                    raise UnsafeArchive(
                        f"The archive inflates to more than {limits.max_total_uncompressed} bytes.",
                        check="max_total_uncompressed",
                    )


@contextmanager
def _inflating(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[IO[bytes]]:
    try:
        with archive.open(info) as entry:
            yield entry
    except _INFLATE_ERRORS as error:
        raise UnsafeArchive(
            f"The entry {info.filename!r} does not inflate to the size and checksum the archive records for it.",
            check="integrity",
        ) from error
