"""The index of published listings: a tantivy index whose snapshot is one object of a versioned,
private bucket (`listings/index.tar`). Each version of that object is a generation; the object's
current version is the pointer to the current one.

One writer at a time (the indexer, fed by a FIFO queue with a single message group) applies
changes: it reads each changed listing as it is now, replaces or removes its document, commits,
and uploads the whole index as the object's next version, on condition that the version it started
from is still current (so a second writer would fail and retry rather than lose the first's work).
A listing handled twice, or late, does no harm, since its document always follows the listing as it
is when indexed.

Readers download a generation once per sandbox into the temporary directory and look for a newer
one at most every `RECHECK_SECONDS`. A cursor may pin an older generation: S3 keeps noncurrent
versions for two days, longer than a cursor lives.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tarfile
import tempfile
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from botocore.exceptions import ClientError

from eckospace import aws
from eckospace.ids import sort_key
from eckospace.marketplace import lifecycle, store
from eckospace.marketplace.search import settings

KEY = "listings/index.tar"
RECHECK_SECONDS = 5.0
HELD = 3  # generations a reader keeps open: the current one and ones cursors are pinned to
TEXT = "listing_text"  # the analyzer of titles and descriptions
WRITER_HEAP = 64_000_000
FILTERS = ("category", "condition", "country", "city", "currency")
_GONE = {"404", "NoSuchKey", "NoSuchVersion", "NotFound", "InvalidArgument"}
_LOCKS = (".tantivy-writer.lock", ".tantivy-meta.lock")
_MARKER = ".generation"  # which generation the writer's working copy is


def analyzer() -> tantivy.TextAnalyzer:
    """Words, lower-cased, accents folded, English stems: one analysis for documents and queries."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


ANALYZER = analyzer()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name=TEXT)
    builder.add_text_field("description", tokenizer_name=TEXT)
    for name in FILTERS:
        builder.add_text_field(name, tokenizer_name="raw")
    builder.add_integer_field("price", indexed=True, fast=True)
    builder.add_integer_field("published_ms", stored=True)
    builder.add_integer_field("expires_ms", stored=True)
    # The orders pages follow; each value ends with the id, so no two listings tie.
    builder.add_text_field("newest", fast=True, tokenizer_name="raw")
    builder.add_text_field("by_price", fast=True, tokenizer_name="raw")
    return builder.build()


SCHEMA = _schema()


def city_key(city: str) -> str:
    """A city as the index holds it and filters match it: spacing and case do not matter."""
    return " ".join(city.split()).casefold()


def document(listing: dict[str, Any]) -> tantivy.Document:
    listing_id, price, currency = listing["id"], listing["price"], listing["currency"]
    return tantivy.Document(
        id=listing_id,
        title=listing["title"],
        description=listing["description"],
        category=listing["category"],
        condition=listing["condition"],
        country=listing["location"]["country"],
        city=city_key(listing["location"]["city"]),
        currency=currency,
        price=price,
        published_ms=listing["published_ms"],
        expires_ms=listing["expires_ms"],
        newest=sort_key(listing["published_ms"], listing_id),
        by_price=store.price_position(currency, price, listing_id),
    )


# ------------------------------------------------------------------------------ snapshots
def _root() -> Path:
    # per process: locally, several sandboxes of a function share one temporary directory
    return Path(tempfile.gettempdir()) / "listing-search" / str(os.getpid())


@dataclass(frozen=True)
class Pointer:
    """The current generation (the object's version id) and its ETag, which the next write names."""

    version: str
    etag: str


def _head() -> Pointer | None:
    """The current generation; None before the first one."""
    try:
        answer = aws.client("s3").head_object(Bucket=settings.BUCKET(), Key=KEY)
    except ClientError as error:
        if error.response["Error"]["Code"] in _GONE:
            return None
        raise
    return Pointer(str(answer["VersionId"]), str(answer["ETag"]))


class GenerationGone(LookupError):
    """S3 no longer holds that generation."""


def _download(version: str, path: Path) -> None:
    """Unpack generation `version` at `path` (made whole, then renamed into place)."""
    try:
        body = aws.client("s3").get_object(Bucket=settings.BUCKET(), Key=KEY, VersionId=version)["Body"]
    except ClientError as error:
        if error.response["Error"]["Code"] in _GONE:
            raise GenerationGone(version) from None
        raise
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=path.parent))
    with tarfile.open(fileobj=body, mode="r|") as tar:
        tar.extractall(staging, filter="data")
    shutil.rmtree(path, ignore_errors=True)
    staging.rename(path)


class Superseded(RuntimeError):
    """Another writer published a generation since this one read the current: nothing was written."""


def _upload(path: Path, base: Pointer | None) -> str:
    """The index at `path` as the object's next version, if `base` is still the current one: the new
    generation. Single-writer by design; the condition makes a second writer fail, not overwrite."""
    condition = {"IfMatch": base.etag} if base else {"IfNoneMatch": "*"}
    with tempfile.TemporaryFile() as packed:
        with tarfile.open(fileobj=packed, mode="w") as tar:
            for entry in sorted(path.iterdir()):
                if entry.is_file() and entry.name not in (*_LOCKS, _MARKER):
                    tar.add(entry, arcname=entry.name)
        packed.seek(0)
        try:
            answer = aws.client("s3").put_object(
                Bucket=settings.BUCKET(), Key=KEY, Body=packed, ContentType="application/x-tar", **condition
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise Superseded("the search index changed while this batch was applied") from None
            raise
    return str(answer["VersionId"])


@dataclass(frozen=True)
class Generation:
    version: str
    path: Path
    searcher: tantivy.Searcher


_open: OrderedDict[str, Generation] = OrderedDict()
_checked: tuple[str | None, float] | None = None


def generation(version: str) -> Generation:
    """Generation `version`, downloaded on first use; `GenerationGone` once S3 has dropped it."""
    if version in _open:
        _open.move_to_end(version)
        return _open[version]
    path = _root() / "generations" / version.replace("/", "_")
    _download(version, path)
    held = Generation(version, path, tantivy.Index.open(str(path)).searcher())
    _open[version] = held
    while len(_open) > HELD:
        shutil.rmtree(_open.popitem(last=False)[1].path, ignore_errors=True)  # /tmp is bounded
    return held


def current() -> Generation | None:
    """The current generation, as S3 said at most `RECHECK_SECONDS` ago; None before the first."""
    global _checked
    now = time.monotonic()
    if _checked is None or now - _checked[1] >= RECHECK_SECONDS:
        pointer = _head()
        _checked = (pointer.version if pointer else None, now)
    version = _checked[0]
    return generation(version) if version else None


# ------------------------------------------------------------------------------ the writer
def _working_copy(head: Pointer | None) -> Path:
    """The writer's copy of generation `head` (empty before the first), downloaded unless it has it."""
    path = _root() / "writer"
    marker = path / _MARKER
    if not (marker.exists() and marker.read_text() == (head.version if head else "")):
        if head:
            _download(head.version, path)
        else:
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
    with contextlib.suppress(FileNotFoundError):
        marker.unlink()  # written again once what follows is uploaded
    return path


def apply(listing_ids: Iterable[str]) -> str | None:
    """Make the index hold each of these listings as it is now (published: its document; otherwise
    none) and publish it as the next generation; that generation (None when there was nothing)."""
    ids = sorted(set(listing_ids))
    if not ids:
        return None
    listings = {key: found for key, found in store.load_many(ids).items() if found["status"] == lifecycle.PUBLISHED}
    head = _head()
    path = _working_copy(head)
    index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
    index.register_tokenizer(TEXT, ANALYZER)
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
    for listing_id in ids:
        writer.delete_documents_by_term("id", listing_id)
        if listing_id in listings:
            writer.add_document(document(listings[listing_id]))
    writer.commit()
    writer.garbage_collect_files()
    writer.wait_merging_threads()
    version = _upload(path, head)
    (path / _MARKER).write_text(version)
    return version
