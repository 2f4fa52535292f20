"""The indexes of published postings, one per kind (`documents`): each a tantivy index whose snapshot
is one object of a versioned, private bucket (`listings/index.tar`, `jobs/index.tar`). Each version
of that object is a generation; the object's current version is the pointer to the current one.

One writer at a time per index (the indexer, fed by a FIFO queue with a message group per kind)
applies changes: it reads each changed posting as it is now, replaces or removes its document,
commits, and uploads the whole index as the object's next version, on condition that the version it
started from is still current (so a second writer would fail and retry rather than lose the first's
work). A posting handled twice, or late, does no harm, since its document always follows the
posting as it is when indexed.

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
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tantivy
from botocore.exceptions import ClientError

from eckospace import aws
from eckospace.marketplace import lifecycle, store
from eckospace.marketplace.kinds import Kind, kind_of
from eckospace.marketplace.search import documents, settings

RECHECK_SECONDS = 5.0
HELD = 3  # generations a reader keeps open per index: the current one and ones cursors are pinned to
WRITER_HEAP = 64_000_000
_GONE = {"404", "NoSuchKey", "NoSuchVersion", "NotFound", "InvalidArgument"}
_LOCKS = (".tantivy-writer.lock", ".tantivy-meta.lock")
_MARKER = ".generation"  # which generation the writer's working copy is


# ------------------------------------------------------------------------------ snapshots
@dataclass(frozen=True)
class Pointer:
    """The current generation (the object's version id) and its ETag, which the next write names."""

    version: str
    etag: str


def _head(key: str) -> Pointer | None:
    """The current generation of the index at `key`; None before the first one."""
    try:
        answer = aws.client("s3").head_object(Bucket=settings.BUCKET(), Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in _GONE:
            return None
        raise
    return Pointer(str(answer["VersionId"]), str(answer["ETag"]))


class GenerationGone(LookupError):
    """S3 no longer holds that generation."""


def _download(key: str, version: str, path: Path) -> None:
    """Unpack generation `version` of the index at `key` at `path` (made whole, then renamed into place)."""
    try:
        body = aws.client("s3").get_object(Bucket=settings.BUCKET(), Key=key, VersionId=version)["Body"]
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


def _upload(key: str, path: Path, base: Pointer | None) -> str:
    """The index at `path` as the next version of the object at `key`, if `base` is still the current
    one: the new generation. Single-writer by design; the condition makes a second writer fail, not
    overwrite."""
    condition = {"IfMatch": base.etag} if base else {"IfNoneMatch": "*"}
    with tempfile.TemporaryFile() as packed:
        with tarfile.open(fileobj=packed, mode="w") as tar:
            for entry in sorted(path.iterdir()):
                if entry.is_file() and entry.name not in (*_LOCKS, _MARKER):
                    tar.add(entry, arcname=entry.name)
        packed.seek(0)
        try:
            answer = aws.client("s3").put_object(
                Bucket=settings.BUCKET(), Key=key, Body=packed, ContentType="application/x-tar", **condition
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


class Index:
    """One kind's index: its object (`<kind>s/index.tar`), the generations this sandbox holds, and
    its writer's working copy."""

    def __init__(self, fields: documents.Fields) -> None:
        self.fields = fields
        self.key = f"{fields.kind.noun}s/index.tar"
        self._open: OrderedDict[str, Generation] = OrderedDict()
        self._checked: tuple[str | None, float] | None = None

    def _root(self) -> Path:
        # per process: locally, several sandboxes of a function share one temporary directory
        return Path(tempfile.gettempdir()) / "posting-search" / str(os.getpid()) / self.fields.kind.noun

    def generation(self, version: str) -> Generation:
        """Generation `version`, downloaded on first use; `GenerationGone` once S3 has dropped it."""
        if version in self._open:
            self._open.move_to_end(version)
            return self._open[version]
        path = self._root() / "generations" / version.replace("/", "_")
        _download(self.key, version, path)
        held = Generation(version, path, tantivy.Index.open(str(path)).searcher())
        self._open[version] = held
        while len(self._open) > HELD:
            shutil.rmtree(self._open.popitem(last=False)[1].path, ignore_errors=True)  # /tmp is bounded
        return held

    def current(self) -> Generation | None:
        """The current generation, as S3 said at most `RECHECK_SECONDS` ago; None before the first."""
        now = time.monotonic()
        if self._checked is None or now - self._checked[1] >= RECHECK_SECONDS:
            pointer = _head(self.key)
            self._checked = (pointer.version if pointer else None, now)
        version = self._checked[0]
        return self.generation(version) if version else None

    # -------------------------------------------------------------------------- the writer
    def _working_copy(self, head: Pointer | None) -> Path:
        """The writer's copy of generation `head` (empty before the first), downloaded unless it has it."""
        path = self._root() / "writer"
        marker = path / _MARKER
        if not (marker.exists() and marker.read_text() == (head.version if head else "")):
            if head:
                _download(self.key, head.version, path)
            else:
                shutil.rmtree(path, ignore_errors=True)
                path.mkdir(parents=True)
        with contextlib.suppress(FileNotFoundError):
            marker.unlink()  # written again once what follows is uploaded
        return path

    def apply(self, posting_ids: list[str]) -> str | None:
        """Make the index hold each of these postings (of its kind) as it is now (published: its
        document; otherwise none) and publish it as the next generation; that generation (None when
        there was nothing)."""
        ids = sorted(set(posting_ids))
        if not ids:
            return None
        published = {
            key: found for key, found in store.load_many(ids).items() if found["status"] == lifecycle.PUBLISHED
        }
        head = _head(self.key)
        path = self._working_copy(head)
        index = tantivy.Index(self.fields.schema, path=str(path), reuse=True)
        index.register_tokenizer(documents.TEXT, documents.ANALYZER)
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        for posting_id in ids:
            writer.delete_documents_by_term("id", posting_id)
            if posting_id in published:
                writer.add_document(self.fields.document(published[posting_id]))
        writer.commit()
        writer.garbage_collect_files()
        writer.wait_merging_threads()
        version = _upload(self.key, path, head)
        (path / _MARKER).write_text(version)
        return version


LISTINGS = Index(documents.LISTINGS)
JOBS = Index(documents.JOBS)
_BY_NOUN = {index.fields.kind.noun: index for index in (LISTINGS, JOBS)}


def of(kind: Kind) -> Index:
    return _BY_NOUN[kind.noun]


def apply(posting_ids: Iterable[str]) -> dict[str, str]:
    """Apply these postings to their kinds' indexes, each in one commit: the new generation of each
    index that changed, by kind. Should one kind's fail, the batch is retried whole, which is
    harmless (a posting is indexed as it is when read)."""
    by_kind: defaultdict[str, list[str]] = defaultdict(list)
    for posting_id in posting_ids:
        by_kind[kind_of(posting_id).noun].append(posting_id)
    applied = {noun: _BY_NOUN[noun].apply(ids) for noun, ids in sorted(by_kind.items())}
    return {noun: version for noun, version in applied.items() if version}
