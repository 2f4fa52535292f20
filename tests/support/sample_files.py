"""Sample files built in memory (no binary fixtures): valid documents, images and videos, and the
hostile ones uploads must refuse."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib

MiB = 1024 * 1024
_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"


def _pdf(pages: int, padding: int) -> bytes:
    """A PDF whose pages share one content stream of `padding` spaces. Lengths and offsets are written
    zero-padded to a fixed width, so the file grows by exactly what the padding adds."""
    page_numbers = range(3, 3 + pages)
    content_number = 3 + pages
    kids = b" ".join(b"%d 0 R" % number for number in page_numbers)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        *[
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R >>" % content_number
            for _ in page_numbers
        ],
        b"<< /Length %010d >>\nstream\n%s\nendstream" % (padding, b" " * padding),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%010d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_bytes(pages: int = 1) -> bytes:
    return _pdf(pages, 0)


def padded_pdf(size: int) -> bytes:
    """A valid one-page PDF of exactly `size` bytes."""
    padding = size - len(_pdf(1, 0))
    if padding < 0:
        raise ValueError(f"a PDF takes at least {size - padding} bytes")
    return _pdf(1, padding)


def encrypted_pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip(entries: dict[str, bytes], *, stored: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_STORED if name in stored else None)
    return out.getvalue()


def _ooxml_entries(main_part: str, content_type: str, main_xml: bytes) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/%s" ContentType="%s"/></Types>' % (main_part.encode(), content_type.encode())
        ),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Target="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument"/></Relationships>' % main_part.encode()
        ),
        main_part: b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + main_xml,
    }


def docx_entries() -> dict[str, bytes]:
    return _ooxml_entries(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>",
    )


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    return _zip({**docx_entries(), **(extra or {})})


def xlsx_bytes() -> bytes:
    return _zip(
        _ooxml_entries(
            "xl/workbook.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
        )
    )


def pptx_bytes() -> bytes:
    return _zip(
        _ooxml_entries(
            "ppt/presentation.xml",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            b'<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
        )
    )


def odt_bytes(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    """The `mimetype` entry first and stored, as the OpenDocument format requires."""
    return _zip(
        {
            "mimetype": mimetype,
            "META-INF/manifest.xml": (
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                b'<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>'
                b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                b"</manifest:manifest>" % mimetype
            ),
            "content.xml": (
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'
            ),
        },
        stored=("mimetype",),
    )


def plain_zip_bytes() -> bytes:
    return _zip({"notes.txt": b"not an office document"})


@functools.cache
def zip_bomb_bytes(mebibytes: int = 80) -> bytes:
    """A DOCX holding `mebibytes` MiB of zeros in one entry, deflated (80 MiB is about 80 KB),
    written a chunk at a time so it is never held whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in docx_entries().items():
            archive.writestr(name, content)
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as entry:
            zeros = bytes(MiB)
            for _ in range(mebibytes):
                entry.write(zeros)
    return out.getvalue()


def _with_directory_field(archive: bytes, name: str, offset: int, value: int, width: int) -> bytes:
    """`archive` with one field of `name`'s central directory entry overwritten (little-endian)."""
    position = archive.find(_CENTRAL_DIRECTORY_ENTRY)
    while archive[position + 46 : position + 46 + len(name)] != name.encode():
        position = archive.find(_CENTRAL_DIRECTORY_ENTRY, position + 1)
        assert position >= 0, f"{name} is not in the archive"
    patched = bytearray(archive)
    patched[position + offset : position + offset + width] = value.to_bytes(width, "little")
    return bytes(patched)


def lying_zip_bytes() -> bytes:
    """A DOCX whose directory records 1 KB for a document that inflates to 2 MiB."""
    archive = docx_bytes({"word/media/zeros.bin": bytes(2 * MiB)})
    return _with_directory_field(archive, "word/media/zeros.bin", 24, 1024, 4)  # the uncompressed size


def encrypted_zip_bytes() -> bytes:
    """A DOCX whose document entry is flagged as encrypted."""
    return _with_directory_field(docx_bytes(), "word/document.xml", 8, 0x1, 2)  # the general purpose flags


def _image(
    pillow_format: str, width: int, height: int, mode: str = "RGB", color: object = "red", **save: object
) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, pillow_format, **save)
    return out.getvalue()


def png_bytes(width: int = 64, height: int = 48, mode: str = "RGB", color: object = "red", **save: object) -> bytes:
    return _image("PNG", width, height, mode, color, **save)


def jpeg_bytes(width: int = 64, height: int = 48, *, orientation: int | None = None) -> bytes:
    """A JPEG, optionally with an EXIF orientation (6: turn 90 degrees clockwise to display)."""
    from PIL import Image

    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    return _image("JPEG", width, height, exif=exif)


def gif_bytes(width: int = 64, height: int = 48) -> bytes:
    return _image("GIF", width, height, "P")


def webp_bytes(width: int = 64, height: int = 48) -> bytes:
    return _image("WEBP", width, height)


PHOTOGRAPHER = "Ada Lovelace"
CAMERA_SERIAL = "SN-0042-7731"
XMP_PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description photoshop:City="London"/></rdf:RDF></x:xmpmeta>'
)


def photo_with_location(pillow_format: str, *, orientation: int = 6, width: int = 64, height: int = 48) -> bytes:
    """A photo as a phone writes it: EXIF with a GPS position, the photographer's name, the camera's
    serial number and an orientation, plus (JPEG) an XMP packet and a comment."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x013B] = PHOTOGRAPHER  # Artist
    exif[0x010F] = "Phone Maker"  # Make
    exif.get_ifd(0x8769)[0xA431] = CAMERA_SERIAL  # Exif IFD: BodySerialNumber
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})  # GPS IFD
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    extra: dict[str, object] = {"exif": exif}
    if pillow_format == "JPEG":
        extra |= {"xmp": XMP_PACKET, "comment": b"shot at home"}
    out = io.BytesIO()
    image.save(out, pillow_format, **extra)
    return out.getvalue()


def png_with_a_bad_checksum() -> bytes:
    """A PNG whose image data fails its CRC, which only a verifying reader notices."""
    data = bytearray(png_bytes())
    data[data.find(b"IEND") - 5] ^= 0xFF  # the last byte of the CRC closing the IDAT chunk
    return bytes(data)


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_header_bytes(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels and holds none: a decompression bomb's opening."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IEND", b"")


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes(brand: bytes = b"isom") -> bytes:
    """An ISO media file: an `ftyp` box with `brand` (b"qt  " for QuickTime), then an empty-ish `mdat`."""
    return _box(b"ftyp", brand + struct.pack(">I", 512) + b"isomiso2avc1mp41") + _box(b"mdat", bytes(1024))


def webm_bytes(doc_type: bytes = b"webm") -> bytes:
    """An EBML header naming `doc_type` (b"matroska" for MKV), then an empty segment."""
    fields = (
        b"\x42\x86\x81\x01"
        b"\x42\xf7\x81\x01"
        b"\x42\xf2\x81\x04"
        b"\x42\xf3\x81\x08" + b"\x42\x82" + bytes([0x80 | len(doc_type)]) + doc_type + b"\x42\x87\x81\x04"
        b"\x42\x85\x81\x02"
    )
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(fields)]) + fields + b"\x18\x53\x80\x67\x80" + bytes(64)


def executable_bytes() -> bytes:
    """A Windows executable's opening: the DOS header pointing at a PE header."""
    return b"MZ" + bytes(58) + struct.pack("<I", 64) + b"PE\x00\x00" + bytes(1020)


def elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(1017)
