"""What a file is, going by its first bytes (its magic number): the formats we accept and the
common ones we name when we refuse them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    media_type: str
    description: str


PDF = Format("application/pdf", "a PDF document")
ZIP = Format("application/zip", "a ZIP archive")
PNG = Format("image/png", "a PNG image")
JPEG = Format("image/jpeg", "a JPEG image")
GIF = Format("image/gif", "a GIF image")
WEBP = Format("image/webp", "a WebP image")
MP4 = Format("video/mp4", "an MP4 video")
QUICKTIME = Format("video/quicktime", "a QuickTime video")
WEBM = Format("video/webm", "a WebM video")

_PREFIXES = (
    (b"%PDF-", PDF),
    (b"PK\x03\x04", ZIP),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"MZ", Format("application/vnd.microsoft.portable-executable", "a Windows executable")),
    (b"\x7fELF", Format("application/x-elf", "an ELF executable")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        Format("application/x-ole-storage", "a legacy Office file (.doc, .xls, .ppt)"),
    ),
    (b"\x1f\x8b", Format("application/gzip", "a gzip archive")),
    (b"Rar!\x1a\x07", Format("application/vnd.rar", "a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", Format("application/x-7z-compressed", "a 7-Zip archive")),
)

_HEIF = Format("image/heif", "a HEIF/HEIC image")
_AVIF = Format("image/avif", "an AVIF image")
# The major brand of an ISO base media file (the four bytes after `ftyp`) tells video from images and audio.
_ISO_BRANDS = {
    b"qt  ": QUICKTIME,
    **dict.fromkeys(
        (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4", b"MSNV"),
        MP4,
    ),
    **dict.fromkeys((b"heic", b"heix", b"mif1", b"msf1"), _HEIF),
    **dict.fromkeys((b"avif", b"avis"), _AVIF),
}
_OTHER_ISO_MEDIA = Format("application/mp4", "an ISO media file that is not an MP4 or QuickTime video")
_EBML = b"\x1a\x45\xdf\xa3"
_MATROSKA = Format("video/x-matroska", "a Matroska video")


def sniff(data: bytes | bytearray | memoryview) -> Format | None:
    """The format the first bytes announce, or None when they announce none we know."""
    head = bytes(data[:64])
    for prefix, found in _PREFIXES:
        if head.startswith(prefix):
            return found
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        return _ISO_BRANDS.get(head[8:12], _OTHER_ISO_MEDIA)
    if head.startswith(_EBML):
        return WEBM if b"webm" in head else _MATROSKA  # the EBML header's DocType
    return None
