"""Strip what an image's metadata says about people (EXIF GPS position, device serials, owner
names, XMP and IPTC records, comments) before anyone but the uploader can fetch it.

The pixels are not touched: the container is rewritten without its metadata blocks, so a JPEG is
not re-encoded and loses no quality. Only what a viewer needs to show the image as its author saw
it is kept: the colour profile, and an EXIF orientation other than "upright", carried over alone.
Stripping is done here by hand because Pillow can only drop metadata by re-encoding the pixels.

Each function takes the bytes the worker already decoded (`eckospace.media.inspection`); malformed
structure raises `ValueError`, which the worker treats as unreadable media.
"""

from __future__ import annotations

import struct
import zlib

ORIENTATION_TAG = 0x0112
UPRIGHT = 1

# JPEG segments kept: JFIF/JFXX (APP0), the ICC profile (APP2 "ICC_PROFILE"), Adobe's colour
# transform (APP14). Every other APPn and COM is metadata: EXIF, XMP, IPTC, maker notes, MPF.
_JPEG_KEPT_APP = {0xE0, 0xEE}
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_METADATA_CHUNKS = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
_GIF_KEPT_APPLICATIONS = {b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"}


def strip_metadata(data: bytes, media_type: str, *, orientation: int = UPRIGHT) -> bytes:
    """`data` without identifying metadata; `orientation` (from the image's EXIF) is kept when it
    is not upright, so the image still displays the right way up."""
    if media_type == "image/jpeg":
        return _strip_jpeg(data, orientation)
    if media_type == "image/png":
        return _strip_png(data, orientation)
    if media_type == "image/webp":
        return _strip_webp(data, orientation)
    if media_type == "image/gif":
        return _strip_gif(data)
    raise ValueError(f"no metadata stripping for {media_type}")


def _orientation_exif(orientation: int) -> bytes:
    """A TIFF-structured EXIF block holding the orientation and nothing else."""
    # Big-endian TIFF header, one IFD at offset 8 with one SHORT entry, no next IFD.
    entry = struct.pack(">HHIHH", ORIENTATION_TAG, 3, 1, orientation, 0)
    return b"MM\x00*" + struct.pack(">IH", 8, 1) + entry + b"\0" * 4


def _strip_jpeg(data: bytes, orientation: int) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = bytearray(data[:2])
    if orientation != UPRIGHT:
        exif = b"Exif\0\0" + _orientation_exif(orientation)
        out += b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    position = 2
    while position < len(data):
        if data[position] != 0xFF:
            raise ValueError("JPEG segment expected")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            out += data[position : position + 2]
            position += 2
            continue
        if marker == _EOI:
            out += b"\xff\xd9"
            return bytes(out)  # anything after the image (trailers, appended previews) is dropped
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        end = position + 2 + length
        if length < 2 or end > len(data):
            raise ValueError("JPEG segment runs past the end")
        segment = data[position:end]
        keep = (
            not (0xE0 <= marker <= 0xEF or marker == 0xFE)
            or marker in _JPEG_KEPT_APP
            or (marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\0")
        )
        if keep:
            out += segment
        position = end
        if marker == _SOS:
            scan_end = _entropy_coded_end(data, position)
            out += data[position:scan_end]
            position = scan_end
    raise ValueError("JPEG without an end marker")


def _entropy_coded_end(data: bytes, position: int) -> int:
    """Where the entropy-coded data after a SOS header ends: the next marker that is neither a
    stuffed 0xFF00 nor a restart marker."""
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            raise ValueError("JPEG scan runs past the end")
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1
            continue
        return position


def _strip_png(data: bytes, orientation: int) -> bytes:
    if data[:8] != _PNG_SIGNATURE:
        raise ValueError("not a PNG")
    out = bytearray(_PNG_SIGNATURE)
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            raise ValueError("PNG chunk runs past the end")
        if kind not in _PNG_METADATA_CHUNKS:
            out += data[position:end]
        if kind == b"IHDR" and orientation != UPRIGHT:
            exif = _orientation_exif(orientation)
            out += struct.pack(">I", len(exif)) + b"eXIf" + exif + struct.pack(">I", zlib.crc32(b"eXIf" + exif))
        position = end
        if kind == b"IEND":
            return bytes(out)
    raise ValueError("PNG without IEND")


def _strip_webp(data: bytes, orientation: int) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP")
    chunks = bytearray()
    position = 12
    has_exif = False
    while position + 8 <= len(data):
        kind = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        end = position + 8 + length + (length & 1)
        if end > len(data):
            raise ValueError("WebP chunk runs past the end")
        if kind == b"VP8X":
            flags = data[position + 8] & ~0x0C  # no EXIF (0x08), no XMP (0x04)
            if orientation != UPRIGHT:
                flags |= 0x08
            chunks += data[position : position + 8] + bytes([flags]) + data[position + 9 : end]
        elif kind not in (b"EXIF", b"XMP "):
            chunks += data[position:end]
        elif kind == b"EXIF":
            has_exif = True
        position = end
    if orientation != UPRIGHT and has_exif:
        exif = _orientation_exif(orientation)
        chunks += b"EXIF" + struct.pack("<I", len(exif)) + exif
    return b"RIFF" + struct.pack("<I", len(chunks) + 4) + b"WEBP" + bytes(chunks)


def _strip_gif(data: bytes) -> bytes:
    if data[:3] != b"GIF":
        raise ValueError("not a GIF")
    flags = data[10]
    position = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    out = bytearray(data[:position])
    while position < len(data):
        introducer = data[position]
        if introducer == 0x3B:  # trailer
            return bytes(out + b"\x3b")
        if introducer == 0x2C:  # image: descriptor, local colour table, LZW data
            local = data[position + 9]
            start = position
            position += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0) + 1
            position = _gif_sub_blocks_end(data, position)
            out += data[start:position]
        elif introducer == 0x21:
            label = data[position + 1]
            start = position
            position = _gif_sub_blocks_end(data, position + 2)
            application = data[start + 3 : start + 14] if label == 0xFF else b""
            if label not in (0xFE, 0xFF) or application in _GIF_KEPT_APPLICATIONS:
                out += data[start:position]
        else:
            raise ValueError("unexpected GIF block")
    raise ValueError("GIF without a trailer")


def _gif_sub_blocks_end(data: bytes, position: int) -> int:
    while True:
        if position >= len(data):
            raise ValueError("GIF data runs past the end")
        size = data[position]
        position += 1 + size
        if size == 0:
            return position
