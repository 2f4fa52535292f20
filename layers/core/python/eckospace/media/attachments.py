"""Media attached to what other contexts own (posts today; messages, listings, applications and ads
as they come): what they store of it, how it becomes readable through them, and what readers see.

- **Summaries.** What a reader needs of an attachment (kind, type, size, display name, image
  dimensions or page count) is copied into the owner's record when it is attached, from one
  BatchGetItem. A ready media item never changes, so the copy stays true, and a page of twenty
  posts costs no read for their attachments.
- **Readable through attachment.** The media record's `public_via` set names each public thing
  (`post:<id>`) it is attached to. The owning context adds and removes its reference inside the
  same transaction as the change that makes the thing public or not (publish, unpublish, hide,
  delete, attach, detach), so the two never disagree. While the set is not empty, any caller may
  read the media (`GET /api/media/{id}`), and its images are served by the CDN
  (`eckospace.media.publication`); the uploader may always read it; anyone else gets 404.
"""

from __future__ import annotations

import re
from typing import Any

from eckospace import aws
from eckospace.errors import DomainError, Unprocessable
from eckospace.items import from_item
from eckospace.media import store
from eckospace.media.links import links

SUMMARY_FIELDS = ("id", "kind", "media_type", "size", "display_name", "metadata")
SHOWN_FIELDS = SUMMARY_FIELDS[1:]  # `variants` is kept too, to link each smaller copy

Operation = tuple[str, dict[str, Any]]
MEDIA_ID = re.compile(r"^med_[0-9a-f]{24}$")


class NotAttachable(Exception):
    """The media is missing, not the owner's, or not ready (the three are not told apart)."""

    def __init__(self, media_id: str) -> None:
        super().__init__(media_id)
        self.media_id = media_id


def summaries(owner: str, media_ids: list[str]) -> list[dict[str, Any]]:
    """What to store of each media to attach, in order; raises `NotAttachable` for the first that
    is not one of `owner`'s ready media."""
    if not media_ids:
        return []
    keys = [{"id": {"S": media_id}} for media_id in media_ids]
    found = aws.batch_get({store.table(): {"Keys": keys, "ConsistentRead": True}})[store.table()]
    records = {record["id"]: record for record in map(from_item, found)}
    for media_id in media_ids:
        record = records.get(media_id)
        if record is None or record["owner"] != owner or record["status"] != store.READY:
            raise NotAttachable(media_id)
    return [_summary(records[media_id]) for media_id in media_ids]


def not_attachable(media_id: str) -> Unprocessable:
    """The 422 for a media id that is not one of the caller's ready media (whether it exists or not)."""
    detail = f"{media_id[:40]} is not one of your ready media"
    return Unprocessable(f"Attachment {detail}.", errors=[{"in": "body", "name": "attachments", "detail": detail}])


def checked_summaries(
    owner: str, media_ids: list[str], *, most: int, holder: str, kept: list[dict[str, Any]] | tuple[()] = ()
) -> list[dict[str, Any]]:
    """What to store of each media `owner` attaches (repeats dropped, order kept): the summaries in
    `kept` as they are, the others from one read. 422 when there are more than `most` (`holder`
    names what holds them) or a new one is not `owner`'s ready media."""
    unique = list(dict.fromkeys(media_ids))
    if len(unique) > most:
        raise Unprocessable(
            f"A {holder} holds at most {most} attachments.",
            errors=[{"in": "body", "name": "attachments", "detail": "too many"}],
        )
    known = {summary["id"]: summary for summary in kept}
    added = [media_id for media_id in unique if media_id not in known]
    for media_id in added:
        if not MEDIA_ID.match(media_id):
            raise not_attachable(media_id)
    try:
        found = known | {summary["id"]: summary for summary in summaries(owner, added)}
    except NotAttachable as refused:
        raise not_attachable(refused.media_id) from None
    return [found[media_id] for media_id in unique]


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {name: record[name] for name in SUMMARY_FIELDS[:-1]} | {
        "metadata": record.get("metadata", {}),
        "variants": record.get("variants", []),
    }


def attach_operations(
    reference: str,
    *,
    owner: str,
    before: list[str],
    after: list[str],
    public_before: bool,
    public_after: bool,
) -> list[Operation]:
    """The writes, for the owner's own transaction, that move the media of `reference` (`post:<id>`)
    from `before` to `after` (ids attached, public or not). Each newly attached media is checked to
    be `owner`'s and ready; labels are `media:<id>`, so a refusal names the media at fault."""
    operations: list[Operation] = []
    for media_id in dict.fromkeys(before + after):
        added = media_id in after and media_id not in before
        was_public = public_before and media_id in before
        is_public = public_after and media_id in after
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        condition = "attribute_exists(id)"
        if added:
            condition += " AND #owner = :owner AND #status = :ready"
            names |= {"#owner": "owner", "#status": "status"}
            values |= {":owner": {"S": owner}, ":ready": {"S": store.READY}}
        key = {"TableName": store.table(), "Key": {"id": {"S": media_id}}, "ConditionExpression": condition}
        if was_public == is_public:
            if added:
                operations.append((f"media:{media_id}", {"ConditionCheck": key | _expression(names, values)}))
            continue
        names["#via"] = "public_via"
        values[":ref"] = {"SS": [reference]}
        update = f"{'ADD' if is_public else 'DELETE'} #via :ref"
        operations.append(
            (f"media:{media_id}", {"Update": key | {"UpdateExpression": update} | _expression(names, values)})
        )
    return operations


def _expression(names: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if names:
        found["ExpressionAttributeNames"] = names
    if values:
        found["ExpressionAttributeValues"] = values
    return found


def attachment_view(summary: dict[str, Any], *, public: bool) -> dict[str, Any]:
    """What a reader of the owning thing sees of an attachment (`eckospace.media.models.Attachment`):
    its summary and where to fetch it, from the CDN when `public` (the thing is public), else from
    presigned URLs."""
    return {
        "id": summary["id"],
        "object": "media",
        **{name: summary[name] for name in SHOWN_FIELDS},
        **links(summary, public=public),
    }


def transact_attached(
    operations: list[Operation], *, holder: str, changed: DomainError, allowance: DomainError | None = None
) -> None:
    """One transaction of a holder's item (labelled `holder`), an optional daily allowance
    (`allowance`) and its attachments' writes (`attach_operations`); a refusal becomes the error that
    says why: the allowance used up, an attachment that is not the owner's ready media (422 naming
    it), or the holder changed meanwhile (`changed`)."""
    from eckospace.transactions import Cancelled, transact

    try:
        transact(operations)
    except Cancelled as cancelled:
        if cancelled.failed == "allowance" and allowance is not None:
            raise allowance from None
        if cancelled.failed and cancelled.failed.startswith("media:"):
            raise not_attachable(cancelled.failed.removeprefix("media:")) from None
        if cancelled.failed == holder or cancelled.conflicted:
            raise changed from None
        raise
