"""Client-supplied file names, made safe to store and show: no path, no invisible or
direction-changing characters, never empty, at most 255 UTF-8 bytes."""

from __future__ import annotations

import re
import unicodedata

MAX_BYTES = 255

_PATH_SEPARATORS = re.compile(r"[/\\]")
# C0 and C1 controls (with DEL), and the bidi embeddings, overrides and isolates that can make
# "invoice\u202efdp.exe" read as "invoiceexe.pdf".
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_name(filename: str | None) -> str:
    """The name's last path component, cleaned; empty when nothing usable is left."""
    name = _PATH_SEPARATORS.split(filename or "")[-1]
    name = unicodedata.normalize("NFC", _INVISIBLE.sub("", name))
    return " ".join(name.split()).lstrip(". ")


def extension_of(filename: str | None) -> str | None:
    """The cleaned name's extension, lower-cased with its dot (".pdf"), or None."""
    _, dot, suffix = clean_name(filename).rpartition(".")
    return f".{suffix.lower()}" if dot and suffix else None


def display_name(filename: str | None, *, fallback_stem: str = "document", extension: str) -> str:
    """The name to store and show; `extension` (".pdf") names the fallback and survives truncation."""
    name = clean_name(filename) or f"{fallback_stem}{extension}"
    if len(name.encode()) <= MAX_BYTES:
        return name
    kept = name[-len(extension) :] if extension and name.lower().endswith(extension.lower()) else ""
    stem = name[: len(name) - len(kept)].encode()[: MAX_BYTES - len(kept.encode())]
    return stem.decode(errors="ignore").rstrip() + kept  # "ignore" drops a character cut in half
