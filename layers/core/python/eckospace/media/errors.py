"""Why a file is refused: each refusal is a `MediaRejected`, which the worker catches, and of the
error kind the API answers it as."""

from __future__ import annotations

from eckospace import errors


class MediaRejected(errors.DomainError):
    """Any refusal of a file for what its bytes are or hold; each subclass is also of its kind."""


class UnsupportedMediaType(MediaRejected, errors.UnsupportedType):
    """The bytes are not of an accepted type, or not of the type the upload claimed."""


class EmptyDocument(MediaRejected, errors.Unprocessable):
    slug, title = "empty-document", "Empty document"


class UnsafeArchive(MediaRejected, errors.Unprocessable):
    """A ZIP-based document past one of its `ArchiveLimits`, with an entry outside its root, or
    whose entries do not inflate to what its directory records; `check` (in the problem body) says which."""

    slug, title = "unsafe-archive", "Unsafe archive"


class UnreadableMedia(MediaRejected, errors.Unprocessable):
    """The bytes are of an accepted type but do not decode (truncated, corrupt, encrypted)."""

    slug, title = "unreadable-media", "Unreadable media"


class ImageTooLarge(MediaRejected, errors.Unprocessable):
    slug, title = "image-too-large", "Image too large"
