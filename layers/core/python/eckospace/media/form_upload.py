"""Reading one uploaded file out of a `multipart/form-data` request body, streaming.

API Gateway hands the body over base64-encoded (multipart is one of the API's binary media types).
It is decoded and parsed a chunk at a time into one buffer sized for the file, hashing as it goes,
so a 4 MB upload costs about 4 MB beyond the event itself, and a body over the cap is refused
before any of it is parsed.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eckospace.errors import InvalidInput, TooLarge, Unprocessable, UnsupportedType

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELD = "file"
# Room for the multipart framing and a few small text fields around the file.
_FRAMING_ALLOWANCE = 16 * 1024
_MAX_TEXT_FIELD_BYTES = 1024
_MAX_PARTS = 8
_CHUNK_CHARS = 256 * 1024  # base64 characters per step: a multiple of 4


@dataclass(frozen=True)
class UploadedFile:
    content: bytearray
    filename: str | None
    declared_type: str | None
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def read_uploaded_file(event: dict[str, Any], *, max_bytes: int, presigned_hint: str) -> UploadedFile:
    """The single `file` field of the request, at most `max_bytes` long."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    content_type, options = parse_options_header(_header(event, "content-type") or "")
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise UnsupportedType("Send the document as multipart/form-data with the file in the `file` field.")
    body = event.get("body") or ""
    encoded = bool(event.get("isBase64Encoded"))
    body_bytes = len(body) // 4 * 3 if encoded else len(body)
    if body_bytes > max_bytes + _FRAMING_ALLOWANCE:
        raise _too_large(max_bytes, presigned_hint)

    form = _FormCollector(capacity=min(body_bytes, max_bytes + 1))
    parser = MultipartParser(options[b"boundary"], callbacks=form.callbacks())
    try:
        for chunk in _decoded_chunks(body, encoded):
            parser.write(chunk)
            if form.file_overflowed:
                raise _too_large(max_bytes, presigned_hint)
        parser.finalize()
    except MultipartParseError:
        raise InvalidInput("The multipart/form-data body is malformed.") from None
    return form.result(max_bytes, presigned_hint)


def _too_large(max_bytes: int, presigned_hint: str) -> TooLarge:
    return TooLarge(
        f"Direct uploads are limited to {max_bytes} bytes. Upload larger files with {presigned_hint}.",
        max_bytes=max_bytes,
        upload_with=presigned_hint,
    )


def _header(event: dict[str, Any], name: str) -> str | None:
    headers: dict[str, str] = event.get("headers") or {}
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _decoded_chunks(body: str, encoded: bool) -> Iterator[bytes]:
    if not encoded:
        yield body.encode("utf-8")
        return
    try:
        for start in range(0, len(body), _CHUNK_CHARS):
            yield binascii.a2b_base64(body[start : start + _CHUNK_CHARS], strict_mode=True)
    except binascii.Error:
        raise InvalidInput("The request body is not valid base64.") from None


def _whatwg_unescape(filename: str) -> str:
    """Browsers (and requests) escape exactly these three in multipart filenames (WHATWG HTML)."""
    return filename.replace("%0A", "\n").replace("%0D", "\r").replace("%22", '"')


class _FormCollector:
    """python-multipart callbacks that keep the `file` part's bytes and the names of the others."""

    def __init__(self, capacity: int) -> None:
        self._buffer = bytearray(capacity)
        self._length = 0
        self._digest = hashlib.sha256()
        self._parts = 0
        self._files: list[tuple[str | None, str | None]] = []
        self._in_file = False
        self._part_size = 0
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self.file_overflowed = False
        self._complete = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._header_name.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._header_value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_end": self._end,
        }

    def _end(self) -> None:
        self._complete = True

    def _part_begin(self) -> None:
        self._parts += 1
        if self._parts > _MAX_PARTS:
            raise InvalidInput(f"At most {_MAX_PARTS} form fields are accepted.")
        self._headers, self._in_file, self._part_size = {}, False, 0

    def _header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if options.get(b"name") != FILE_FIELD.encode():
            return
        self._in_file = True
        filename = options.get(b"filename")
        declared = self._headers.get(b"content-type")
        self._files.append(
            (
                _whatwg_unescape(filename.decode("utf-8", "replace")) if filename is not None else None,
                declared.decode("latin-1").strip() if declared else None,
            )
        )

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._part_size += end - start
        if not self._in_file:
            if self._part_size > _MAX_TEXT_FIELD_BYTES:
                raise Unprocessable(
                    f"Form fields other than `{FILE_FIELD}` are limited to {_MAX_TEXT_FIELD_BYTES} bytes."
                )
            return
        if len(self._files) > 1:
            return
        new_length = self._length + end - start
        if new_length > len(self._buffer):
            self.file_overflowed = True
            return
        self._buffer[self._length : new_length] = data[start:end]
        self._digest.update(data[start:end])
        self._length = new_length

    def result(self, max_bytes: int, presigned_hint: str) -> UploadedFile:
        if not self._complete:
            raise InvalidInput("The multipart/form-data body ends before its closing boundary.")
        if not self._files:
            raise Unprocessable(
                f"The form has no `{FILE_FIELD}` field.",
                errors=[{"in": "body", "name": FILE_FIELD, "detail": "required"}],
            )
        if len(self._files) > 1:
            raise Unprocessable(
                f"Send exactly one `{FILE_FIELD}` field.",
                errors=[{"in": "body", "name": FILE_FIELD, "detail": "repeated"}],
            )
        if self._length > max_bytes:
            raise _too_large(max_bytes, presigned_hint)
        filename, declared = self._files[0]
        del self._buffer[self._length :]  # shrinks in place: no second copy of the file
        return UploadedFile(
            content=self._buffer, filename=filename, declared_type=declared, sha256=self._digest.hexdigest()
        )
