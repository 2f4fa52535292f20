"""What the media worker checks in an object uploaded with a presigned POST: the bytes must be of
the type the upload policy bound (`declared_type`), and decode as that type.

Images (JPEG, PNG, GIF, WebP) are opened with Pillow, held to `MAX_IMAGE_PIXELS`, verified and
decoded; videos (MP4, QuickTime, WebM) are recognised by their bytes only; documents go through
`identify_document`, and a PDF must open with pypdf, unencrypted. Pillow and pypdf are imported
only when used: they live in the media layer, which only the worker has.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eckospace.media.documents import PDF, declared_media_type, identify_document
from eckospace.media.errors import ImageTooLarge, MediaRejected, UnreadableMedia, UnsupportedMediaType
from eckospace.media.metadata import ORIENTATION_TAG, UPRIGHT
from eckospace.media.signatures import sniff

if TYPE_CHECKING:
    from PIL import Image

MAX_IMAGE_PIXELS = 40_000_000
# Each accepted image type, with the name Pillow gives its format.
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm"})
THUMBNAIL_QUALITY = 85


@dataclass(frozen=True)
class Inspection:
    media_type: str
    kind: str  # image, video or document
    metadata: dict[str, Any] = field(default_factory=dict)  # width and height, or pages
    orientation: int = UPRIGHT  # an image's EXIF orientation


def inspect_object(data: bytes, *, declared_type: str) -> Inspection:
    """What the object is; raises a `MediaRejected` unless it is exactly `declared_type` and readable."""
    declared = declared_media_type(declared_type)
    found = sniff(data)
    if found and found.media_type in IMAGE_FORMATS:
        _require_declared(declared, found.media_type, found.description)
        metadata, orientation = _image_metadata(data, IMAGE_FORMATS[found.media_type])
        return Inspection(found.media_type, "image", metadata, orientation)
    if found and found.media_type in VIDEO_TYPES:
        _require_declared(declared, found.media_type, found.description)
        return Inspection(found.media_type, "video")
    document = identify_document(data, declared_type=declared, filename=None)
    _require_declared(declared, document.media_type, document.label)
    return Inspection(document.media_type, "document", {"pages": _pdf_pages(data)} if document is PDF else {})


def _require_declared(declared: str | None, detected: str, description: str) -> None:
    # Exact, no aliases: the upload policy bound this type, and the object is served with it.
    if declared != detected:
        raise UnsupportedMediaType(
            f"The content is {description}, but the upload declared {declared or 'no specific type'}."
        )


def _image_metadata(data: bytes, pillow_format: str) -> tuple[dict[str, Any], int]:
    """The size the image displays at (EXIF orientations 5 to 8 turn it a quarter), and its orientation."""
    with _opened_image(data, [pillow_format]) as image:
        width, height = image.size
        image.verify()  # structure and checksums, where the format has them (PNG)
    with _opened_image(data, [pillow_format]) as image:
        orientation = image.getexif().get(ORIENTATION_TAG, UPRIGHT)
        image.draft(None, (1, 1))  # a JPEG decodes at an eighth of its size: enough to find it truncated
        image.load()
    if not isinstance(orientation, int) or orientation not in range(1, 9):
        orientation = UPRIGHT
    if orientation >= 5:
        width, height = height, width
    return {"width": width, "height": height}, orientation


@contextmanager
def _opened_image(data: bytes, pillow_formats: list[str]) -> Iterator[Image.Image]:
    """The image, refused past the pixel limit before any pixel is decoded (opening reads only its
    header); any failure to decode it within the block becomes `UnreadableMedia`."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=pillow_formats) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise ImageTooLarge(
                        f"The image is {image.width}x{image.height} pixels;"
                        f" at most {MAX_IMAGE_PIXELS} pixels are accepted."
                    )
                yield image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageTooLarge(f"The image is larger than {MAX_IMAGE_PIXELS} pixels.") from error
        except MediaRejected:
            raise
        except Exception as error:  # Pillow's decoders fail on malformed data with many exception types
            raise UnreadableMedia("The image cannot be decoded: it is truncated or corrupt.") from error


def _pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if not reader.is_encrypted:
            return len(reader.pages)
    except Exception as error:  # as with Pillow, malformed input surfaces as many exception types
        raise UnreadableMedia("The PDF cannot be read: it is truncated or corrupt.") from error
    raise UnreadableMedia("The PDF is encrypted or password-protected; upload an unprotected copy.")


def make_thumbnail(data: bytes, *, max_side: int = 320) -> bytes:
    """A JPEG at most `max_side` pixels on its longer side, upright as its EXIF orientation says,
    transparency flattened onto white."""
    from PIL import ImageOps

    with _opened_image(data, list(IMAGE_FORMATS.values())) as image:
        image.draft(None, (max_side, max_side))
        thumbnail = _flattened(ImageOps.exif_transpose(image))
        thumbnail.thumbnail((max_side, max_side))
    output = io.BytesIO()
    thumbnail.save(output, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return output.getvalue()


def _flattened(image: Image.Image) -> Image.Image:
    from PIL import Image

    if not image.has_transparency_data:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba)
    return flat
