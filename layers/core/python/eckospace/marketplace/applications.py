"""Applications: a candidate applies to a published job that takes applications in the app, with a
document (their own `ready` media: a CV) and a cover note; the job's employer moves it through
`submitted → viewed → shortlisted → rejected | hired`, and the candidate is told of each move.

- **One per candidate and job.** The application and a marker keyed by the job and the candidate are
  one transaction with the check that the job is published and takes applications in the app, so
  concurrent retries make exactly one; a second application is a 409 naming the first.
- **Who sees what.** The candidate and the job's employer, no one else (404 for anyone else, as for
  an application that never existed). The document is shown through a short-lived presigned URL to
  these two alone, for this application alone: it never becomes public (`GET /api/media/{id}` stays
  404 to the employer), and reading the application is what grants it.
- **Statuses.** Only the employer moves an application, only forward along `MOVES` (reading one
  changes nothing: they mark it `viewed` when they have). Each move is one conditional write on the
  version read and announces `application.updated`, which notifies the candidate.
"""

from __future__ import annotations

import re
from typing import Any

from eckospace import items, timestamps
from eckospace.errors import Conflict, NotFound, NotPermitted, VersionMismatch
from eckospace.events import DomainEvent, publish, stable_event_id
from eckospace.ids import new_id, now_ms, sort_key
from eckospace.marketplace import lifecycle, postings, store
from eckospace.marketplace.kinds import JOB
from eckospace.preconditions import if_match_hits
from eckospace.transactions import Cancelled, transact

SUBMITTED, VIEWED, SHORTLISTED, REJECTED, HIRED = "submitted", "viewed", "shortlisted", "rejected", "hired"
# status: the statuses the employer may move it to
MOVES: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({VIEWED, SHORTLISTED, REJECTED, HIRED}),
    VIEWED: frozenset({SHORTLISTED, REJECTED, HIRED}),
    SHORTLISTED: frozenset({REJECTED, HIRED}),
    REJECTED: frozenset(),
    HIRED: frozenset(),
}
PREFIX = "app"
APPLICATION_ID = re.compile(r"^app_[0-9a-z]{26}$")


class AlreadyApplied(Conflict):
    slug = "already-applied"
    title = "You have applied to this job already"


class IllegalMove(Conflict):
    slug = "illegal-transition"
    title = "This application's status does not allow that"


def _key(application_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"application#{application_id}"}, "sk": {"S": "application"}}


def _marker_key(job_id: str, applicant: str) -> dict[str, Any]:
    return {"pk": {"S": f"applied#{job_id}#{applicant}"}, "sk": {"S": "applied"}}


def not_found(application_id: str) -> NotFound:
    return NotFound(f"No application {application_id[:40]} that you can see.")


def view(application: dict[str, Any]) -> dict[str, Any]:
    """What the candidate and the employer see (`eckospace.marketplace.models.Application`)."""
    from eckospace.media.attachments import attachment_view

    return {
        "id": application["id"],
        "object": "application",
        "job_id": application["job_id"],
        "job_title": application["job_title"],
        "employer": application["employer"],
        "applicant": application["applicant"],
        "cover_note": application["cover_note"],
        "document": attachment_view(application["document"], public=False),
        "status": application["status"],
        "allowed_statuses": sorted(MOVES[application["status"]]),
        "version": application["version"],
        "created_at": timestamps.from_ms(application["created_ms"]),
        "updated_at": timestamps.from_ms(application["updated_ms"]),
    }


def apply(job_id: str, applicant: str, *, document: str, cover_note: str) -> dict[str, Any]:
    """A new application to a published job that takes them in the app (404 for a job the applicant
    cannot see; 409 for one that takes none, their own, or one they applied to)."""
    from eckospace.media.attachments import checked_summaries

    job = postings.read(job_id, JOB, applicant)
    if job["status"] != lifecycle.PUBLISHED or job["expires_ms"] <= now_ms():
        raise lifecycle.refuse(job["status"], JOB, "Only a published job takes applications.")
    if job["application"]["type"] != "in_app":
        raise Conflict("This job takes applications on the employer's own site: see its `application.url`.")
    if job["employer"] == applicant:
        raise Conflict("You cannot apply to your own job.")
    [summary] = checked_summaries(applicant, [document], most=1, holder="application")
    ms = now_ms()
    application = {
        "id": new_id(PREFIX, ms),
        "job_id": job_id,
        "job_title": job["title"],
        "employer": job["employer"],
        "applicant": applicant,
        "cover_note": cover_note,
        "document": summary,
        "status": SUBMITTED,
        "version": 1,
        "created_ms": ms,
        "updated_ms": ms,
    }
    record = {
        "pk": f"application#{application['id']}",
        "sk": "application",
        "type": "application",
        **application,
        # on ByOwner: the candidate's applications; on Newest: the job's, newest first
        "owner_pk": f"applicant#{applicant}",
        "owner_sk": sort_key(ms, application["id"]),
        "browse_pk": f"applications#{job_id}",
        "browse_sk": sort_key(ms, application["id"]),
    }
    marker = {**_marker_key(job_id, applicant), "application_id": {"S": application["id"]}}
    try:
        transact(
            [
                ("job", store.still_published(job_id, ms)),
                (
                    "marker",
                    {
                        "Put": {
                            "TableName": store.table(),
                            "Item": marker,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ),
                ("application", {"Put": {"TableName": store.table(), "Item": items.to_item(record)}}),
            ]
        )
    except Cancelled as cancelled:
        if cancelled.code_of("marker") == "ConditionalCheckFailed":
            raise AlreadyApplied(
                "You have applied to this job already.", application_id=_first(job_id, applicant)
            ) from None
        if cancelled.failed == "job":
            raise Conflict("The job changed meanwhile and takes no applications now.") from None
        if cancelled.conflicted:
            raise Conflict("The application could not be written; retry.", retry_after=1) from None
        raise
    _announce("application.submitted", application, cause=application["id"])
    return application


def _first(job_id: str, applicant: str) -> str | None:
    from eckospace import aws

    found = aws.client("dynamodb").get_item(
        TableName=store.table(), Key=_marker_key(job_id, applicant), ConsistentRead=True
    )
    first = found.get("Item", {}).get("application_id", {}).get("S")
    return str(first) if first else None


def _load(application_id: str) -> dict[str, Any] | None:
    from eckospace import aws

    if not APPLICATION_ID.match(application_id):
        return None
    found = aws.client("dynamodb").get_item(TableName=store.table(), Key=_key(application_id), ConsistentRead=True)
    if "Item" not in found:
        return None
    return stored(found["Item"])


def stored(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as an application: its fields, without keys and index attributes."""
    return {name: value for name, value in items.from_item(item).items() if name not in _STORED_ONLY}


_STORED_ONLY = ("pk", "sk", "type", "owner_pk", "owner_sk", "browse_pk", "browse_sk")


def read(application_id: str, viewer: str) -> dict[str, Any]:
    """The application, to its candidate or the job's employer alone."""
    application = _load(application_id)
    if application is None or viewer not in (application["applicant"], application["employer"]):
        raise not_found(application_id)
    return application


def update_status(application_id: str, user: str, status: str, *, if_match: str | None) -> dict[str, Any]:
    """The employer moves the application to `status` (403 for its candidate, 404 for anyone else)."""
    application = read(application_id, user)
    if user != application["employer"]:
        raise NotPermitted("Only the job's employer moves an application.")
    if if_match and not if_match_hits(if_match, application["version"]):
        raise VersionMismatch(f"The application is at version {application['version']}; If-Match named another.")
    return move(application, status)


def etag(application: dict[str, Any]) -> str:
    return f'"v{application["version"]}"'


def move(application: dict[str, Any], status: str) -> dict[str, Any]:
    """`application` moved to `status` if the graph allows it and it is still the version read;
    announced, so the candidate is told."""
    if status not in MOVES[application["status"]]:
        raise IllegalMove(
            f"A {application['status']} application cannot become {status}.",
            current_status=application["status"],
            allowed_statuses=sorted(MOVES[application["status"]]),
        )
    ms = now_ms()
    new = application | {"status": status, "version": application["version"] + 1, "updated_ms": ms}
    operation = items.update_operation(
        store.table(),
        _key(application["id"]),
        application,
        new,
        condition="version = :version",
        values={":version": {"N": str(application["version"])}},
    )
    try:
        transact([("application", operation)])
    except Cancelled:
        raise Conflict("The application changed meanwhile; read it again.", retry_after=1) from None
    _announce("application.updated", new, cause=f"{new['id']}:{new['version']}")
    return new


def _announce(event_type: str, application: dict[str, Any], *, cause: str) -> None:
    """`application.submitted` (which notifies the employer) or `application.updated` (the candidate)."""
    publish(
        DomainEvent(
            event_type,
            {
                "application_id": application["id"],
                "job_id": application["job_id"],
                "job_title": application["job_title"],
                "applicant": application["applicant"],
                "employer": application["employer"],
                "status": application["status"],
            },
            subject=application["id"],
            id=stable_event_id(f"{event_type}:{cause}"),
        )
    )
