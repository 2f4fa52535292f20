"""Identifying metadata leaves an image before anyone but its uploader may fetch it, and the pixels
stay exactly as they were."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from eckospace.media.inspection import inspect_object
from eckospace.media.metadata import strip_metadata
from tests.support.sample_files import (
    CAMERA_SERIAL,
    PHOTOGRAPHER,
    XMP_PACKET,
    gif_bytes,
    photo_with_location,
)

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


@pytest.mark.parametrize("media_type", FORMATS)
def test_a_photo_loses_its_position_names_and_serials_and_keeps_its_pixels_and_orientation(media_type):
    photo = photo_with_location(FORMATS[media_type], orientation=6)
    with Image.open(io.BytesIO(photo)) as image:  # the sample does carry what must go
        assert image.getexif().get_ifd(0x8825) and image.getexif()[0x013B] == PHOTOGRAPHER

    inspection = inspect_object(photo, declared_type=media_type)
    stripped = strip_metadata(photo, media_type, orientation=inspection.orientation)

    with Image.open(io.BytesIO(stripped)) as image:
        exif = image.getexif()
        assert dict(exif) == {0x0112: 6}
        assert not exif.get_ifd(0x8825) and not exif.get_ifd(0x8769)
        assert not image.info.get("xmp") and not image.info.get("comment")
    for trace in (PHOTOGRAPHER.encode(), CAMERA_SERIAL.encode(), b"Phone Maker", XMP_PACKET[:20], b"shot at home"):
        assert trace not in stripped
    assert pixels(stripped) == pixels(photo)  # not re-encoded: the very same pixels
    assert inspect_object(stripped, declared_type=media_type).metadata == inspection.metadata
    assert inspection.metadata == {"width": 48, "height": 64}  # displayed size: orientation 6 turns it


@pytest.mark.parametrize("media_type", FORMATS)
def test_an_upright_photo_keeps_no_exif_at_all(media_type):
    photo = photo_with_location(FORMATS[media_type], orientation=1)
    stripped = strip_metadata(photo, media_type)
    with Image.open(io.BytesIO(stripped)) as image:
        assert dict(image.getexif()) == {}
    assert pixels(stripped) == pixels(photo)


def test_a_gif_loses_its_comments_and_keeps_its_frames_and_looping():
    frames = [Image.new("RGB", (16, 16), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], loop=0, comment=b"made by Ada at home")
    animated = out.getvalue()
    assert b"made by Ada" in animated

    stripped = strip_metadata(animated, "image/gif")

    assert b"made by Ada" not in stripped and b"NETSCAPE2.0" in stripped
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.n_frames == 3 and image.info.get("loop") == 0
    assert strip_metadata(gif_bytes(), "image/gif") == gif_bytes()  # nothing to strip, nothing changed


@pytest.mark.parametrize(
    ("media_type", "data"),
    [
        ("image/jpeg", b"\xff\xd8\xff\xe1\xff\xff"),  # a segment longer than the file
        ("image/jpeg", photo_with_location("JPEG")[:-300]),  # no end marker
        ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"),
        ("image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8X\xff\x00\x00\x00"),
        ("image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00\x21\xfe\x05ab"),
        ("image/tiff", b"II*\x00"),
    ],
)
def test_malformed_structure_is_refused_not_passed_through(media_type, data):
    with pytest.raises(ValueError):
        strip_metadata(data, media_type)
