"""Schemathesis hooks for the contract test (`tests/e2e/test_contract.py`, loaded through
`SCHEMATHESIS_HOOKS`).

Two things a document cannot say, taught here so that every check can run as it is:

- **The one accepted answer.** A method that the document does not declare for a path is answered
  403 by the gateway (API Gateway's `MISSING_AUTHENTICATION_TOKEN`, our problem type
  `no-such-route`), not 405 with `Allow`. Exactly that failure is dropped; any other answer to an
  undeclared method, and every other failure, still fails the run.
- **What only the API can issue.** Some inputs are valid only as values the API handed out or as the
  state they name: a cursor is the `next_cursor` of the same listing and query, an `If-Match` names
  the resource's current `ETag` (or `*`, which positive cases send), an `Idempotency-Key` is fresh
  for each distinct request, attachments are the caller's own ready media, a payment method is one
  Stripe made, a webhook target must resolve to a host the stack may deliver to, a wallet currency
  is one of those `GET /api/wallet` lists (the deployment's), and an uploaded document must be one
  of the formats it claims; a salary range runs from its `min` up to its `max`; and a report's range of
days runs upwards, ends by today, and is no longer than a report may be. In schema-valid
  (positive) cases the hooks send these as a careful client would: values the API issued, or none
  where the input is optional. Schema-invalid (negative) cases are sent as generated.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.openapi.checks import EnsureResourceAvailability, UnsupportedMethodResponse

from tests.support import sample_files

NO_SUCH_ROUTE = "urn:eckospace:problem:no-such-route"
PROBLEM_CONTENT_TYPE = "application/problem+json"
# Where positive cases register webhooks: a loopback address the local stack may deliver to.
WEBHOOK_TARGET_SETTING = "ECKO_CONTRACT_WEBHOOK_URL"
# The wallet currencies the deployment enables, as `GET /api/wallet` lists them (comma-separated).
CURRENCIES_SETTING = "ECKO_CONTRACT_CURRENCIES"
PAGING = frozenset({"cursor", "limit"})


def is_gateway_no_such_route(status: int, headers: dict[str, list[str]], content: bytes) -> bool:
    """Whether an answer is the gateway's 403 for a method or path no route matches."""
    if status != 403:
        return False
    content_type = ",".join(headers.get("content-type", [])).split(";")[0].strip().lower()
    try:
        body = json.loads(content)
    except ValueError:
        return False
    return (
        content_type == PROBLEM_CONTENT_TYPE
        and isinstance(body, dict)
        and body.get("type") == NO_SUCH_ROUTE
        and body.get("status") == 403
    )


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure except an undeclared method answered with the gateway's 403, and a post
    found gone right after its creation because the run's other worker removed it meanwhile (a
    moderator's `remove`, or a `DELETE` it found through a listing): schemathesis looks for
    deletions only among its own worker's `DELETE`s."""
    if isinstance(failure, UnsupportedMethodResponse) and failure.failure_reason == "wrong_status":
        return not is_gateway_no_such_route(response.status_code, response.headers, response.content)
    if isinstance(failure, EnsureResourceAvailability):
        post_id = (case.path_parameters or {}).get("post_id")
        with ISSUED._lock:
            return post_id not in ISSUED.removed_posts
    return True


# ------------------------------------------------------------------------------ what the API issued
class Issued:
    """Values the API has handed out during the run, shared by the run's worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.cursors: dict[tuple[Any, ...], str] = {}
        self.ready_media: list[str] = []
        self.removed_posts: set[str] = set()  # by a moderator's `remove` decision, or deleted


ISSUED = Issued()


def _listing_key(case: Any) -> tuple[Any, ...]:
    """A cursor is bound to its listing, its caller and its query: the same path (with its
    parameters) and the same query but for paging."""
    query = tuple(sorted((k, str(v)) for k, v in (case.query or {}).items() if k not in PAGING))
    return case.operation.method.upper(), case.formatted_path, query


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    """Remember the cursors and the ready media the API hands out, and the posts taken away."""
    if not 200 <= response.status_code < 300:
        return
    body = _json(response)
    with ISSUED._lock:
        if isinstance(body, dict) and isinstance(body.get("next_cursor"), str):
            ISSUED.cursors[_listing_key(case)] = body["next_cursor"]
        if (
            case.operation.path == "/api/post/editor/media/document/upload"
            and isinstance(body, dict)
            and body.get("status") == "ready"
            and isinstance(body.get("id"), str)
        ):
            ISSUED.ready_media.append(body["id"])
        post_id = (case.path_parameters or {}).get("post_id")
        removal = case.operation.path == "/api/moderation/posts/{post_id}/decisions" and (
            isinstance(case.body, dict) and case.body.get("action") == "remove"
        )
        deletion = case.operation.path == "/api/posts/{post_id}" and case.operation.method.upper() == "DELETE"
        if post_id and (removal or deletion):  # by either worker: the run's two threads share the stack
            ISSUED.removed_posts.add(post_id)


def _is_positive(case: Any) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _idempotency_key(case: Any) -> str:
    """One key per distinct request: a retry of the same request replays, another request is new."""
    body = case.body if isinstance(case.body, (dict, list, str, int, float, bool)) else repr(case.body)
    request = json.dumps([case.operation.method, case.formatted_path, case.query, body], sort_keys=True, default=repr)
    return "contract-" + hashlib.sha256(request.encode()).hexdigest()[:40]


def _one_of(choices: list[str], generated: str) -> str:
    """A choice the generated value picks, so the run still varies it."""
    return choices[sum(map(ord, generated)) % len(choices)]


def _report_range(query: dict[str, Any]) -> None:
    """A range of days a report may cover: up to today, upwards, at most 7 days (the most for hours)."""
    last = datetime.now(UTC).date() - timedelta(days=1)
    if isinstance(query.get("to"), str):
        last = datetime.now(UTC).date() - timedelta(days=sum(map(ord, query["to"])) % 30)
        query["to"] = str(last)
    if isinstance(query.get("from"), str):
        query["from"] = str(last - timedelta(days=sum(map(ord, query["from"])) % 7))


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Positive cases carry only what the API issued where only that is valid."""
    if not _is_positive(case):
        return
    if isinstance(case.query, dict) and "cursor" in case.query:
        issued = ISSUED.cursors.get(_listing_key(case))
        if issued is None:
            del case.query["cursor"]  # no page of this listing seen yet: its first page
        else:
            case.query["cursor"] = issued
    headers = case.headers
    if headers is not None:
        if "If-Match" in headers:
            # Any version: an entity tag read earlier may be stale by now (other cases edit the same
            # resource at the same time), and a stale one is rightly a 412.
            headers["If-Match"] = "*"
    if case.operation.path.startswith("/api/analytics/") and isinstance(case.query, dict):
        _report_range(case.query)
    currencies = [c for c in os.environ.get(CURRENCIES_SETTING, "").split(",") if c]
    if currencies and isinstance(case.query, dict) and isinstance(case.query.get("currency"), str):
        case.query["currency"] = _one_of(currencies, case.query["currency"])
    body = case.body
    if isinstance(body, dict):
        if currencies and isinstance(body.get("currency"), str):
            body["currency"] = _one_of(currencies, body["currency"])
        if isinstance(body.get("attachments"), list):
            body["attachments"] = ISSUED.ready_media[-len(body["attachments"]) :] if body["attachments"] else []
        body.pop("payment_method", None)  # Stripe.js makes them; a top-up without one is confirmed later
        salary = body.get("salary")
        bounds = [salary.get(end) for end in ("min", "max")] if isinstance(salary, dict) else []
        if len(bounds) == 2 and all(isinstance(bound, int | float) and not isinstance(bound, bool) for bound in bounds):
            salary["min"], salary["max"] = sorted(bounds)  # a range runs upwards (134.0 is an integer too)
        target = os.environ.get(WEBHOOK_TARGET_SETTING)
        if target and case.operation.path.startswith("/api/webhooks/endpoints") and isinstance(body.get("url"), str):
            body["url"] = target
    # Last, from the body as it will be sent: the attachments above change as media become ready
    if headers is not None and "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = _idempotency_key(case)


# ------------------------------------------------------------------------------ documents to upload
# The document upload names the formats it takes (`encoding.file.contentType`); each gets files of
# that format, as a post editor would send.
_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, exclude_categories=("Cs",)), min_size=1, max_size=200
)
DOCUMENTS: dict[str, st.SearchStrategy[bytes]] = {
    "application/pdf": st.integers(1, 3).map(sample_files.pdf_bytes),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": st.just(sample_files.docx_bytes()),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": st.just(sample_files.xlsx_bytes()),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": st.just(sample_files.pptx_bytes()),
    "application/vnd.oasis.opendocument.text": st.just(sample_files.odt_bytes()),
    "text/plain": _TEXT.map(str.encode),
    "text/csv": st.lists(_TEXT.filter(lambda s: not set(s) & set(',"\n\r')), min_size=1, max_size=4).map(
        lambda cells: (",".join(cells) + "\n").encode()
    ),
    "text/markdown": _TEXT.map(lambda text: f"# {text}\n".encode()),
}
for _media_type, _strategy in DOCUMENTS.items():
    schemathesis.openapi.media_type(_media_type, _strategy)
