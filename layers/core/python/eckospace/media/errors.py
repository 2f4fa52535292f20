"""Why a file is refused, as problems the HTTP resolver renders (a worker catches `MediaRejected`)."""

from __future__ import annotations

from eckospace.http import problems


class MediaRejected(problems.Problem):
    """Any refusal of a file for what its bytes are or hold; each subclass carries its HTTP status."""


class UnsupportedMediaType(MediaRejected, problems.UnsupportedMediaType):
    """415: the bytes are not of an accepted type, or not of the type the upload claimed."""


class EmptyDocument(MediaRejected, problems.UnprocessableContent):
    slug, title = "empty-document", "Empty document"


class UnsafeArchive(MediaRejected, problems.UnprocessableContent):
    """422: a ZIP-based document past one of its `ArchiveLimits`, with an entry outside its root, or
    whose entries do not inflate to what its directory records; `check` (in the problem body) says which."""

    slug, title = "unsafe-archive", "Unsafe archive"


class UnreadableMedia(MediaRejected, problems.UnprocessableContent):
    """422: the bytes are of an accepted type but do not decode (truncated, corrupt, encrypted)."""

    slug, title = "unreadable-media", "Unreadable media"


class ImageTooLarge(MediaRejected, problems.UnprocessableContent):
    slug, title = "image-too-large", "Image too large"
