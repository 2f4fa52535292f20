"""Pages of listings and jobs, each one DynamoDB query on an index made for it. Browsing a
category's published postings of one kind:

- newest first (`Newest`);
- by price (a listing's price; a job's salary, the top of its range) either way (`ByPrice`, ordered
  by currency, a job's pay period, then amount): within one currency (and, for jobs, one period)
  and an amount range, the range is the query's key condition, so it costs nothing extra.

Every other combination (a currency or an amount range while sorting by newest, a range across
currencies, a job's employment type or remoteness) is the same query with a filter: exact, but a
page may then hold fewer than `limit` postings and still have a `next_cursor`. A posting past its
`expires_at` that the expiry sweeper has not reached yet is filtered out, so nobody sees one late.
Cursors are bound to the whole query.

Also an owner's postings, the review queues, a user's saved items, a candidate's applications, the
applications to an employer's job, and a user's contacts and a contact's messages: a page of those
is one query (and, for saved items, one
BatchGetItem of the postings, leaving out those no longer published: sold, archived, expired, back
in review).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from eckospace import aws, items, timestamps
from eckospace.marketplace import applications, contact, lifecycle, postings, store
from eckospace.marketplace.catalogue import MAX_PRICE
from eckospace.marketplace.kinds import JOB, KINDS, Kind, kind_of
from eckospace.paging import query_page

_ANY_ID = "(?:" + "|".join(f"{kind.prefix}_[0-9a-z]{{26}}" for kind in KINDS) + ")"
SAVED_KEY = {
    "pk": re.compile(rf"^saved#.+#{_ANY_ID}$"),
    "sk": re.compile(r"^saved$"),
    "owner_sk": re.compile(rf"^\d{{13}}#{_ANY_ID}$"),
}


def _id(kind: Kind) -> str:
    return f"{kind.prefix}_[0-9a-z]{{26}}"


def _key(kind: Kind) -> dict[str, re.Pattern[str]]:
    return {"pk": re.compile(rf"^{kind.noun}#{_id(kind)}$"), "sk": re.compile(rf"^{kind.noun}$")}


def _newest(kind: Kind) -> re.Pattern[str]:
    return re.compile(rf"^\d{{13}}#{_id(kind)}$")


def _by_price(kind: Kind) -> re.Pattern[str]:
    period = "[a-z]+#" if kind.noun == "job" else ""
    return re.compile(rf"^[a-z]{{3}}#{period}\d{{{store.PRICE_DIGITS}}}#{_id(kind)}$")


@dataclass(frozen=True)
class Criteria:
    """What a browse page asks for. `position` is the start of the `ByPrice` sort key that one
    currency (and, for a job, one pay period) share, when the caller named it; `amount` the attribute
    the amount range bounds."""

    category: str
    sort: str  # "newest", "price_asc" or "price_desc"
    amount: str  # "price"; "salary.max"
    position: str | None = None
    low: int | None = None
    high: int | None = None
    equal: dict[str, Any] = field(default_factory=dict)  # attribute path: the value it must have (typed)


def _filtered(request: dict[str, Any], conditions: list[str], values: dict[str, Any]) -> dict[str, Any]:
    """`request` keeping only unexpired postings that meet `conditions` as well."""
    request["FilterExpression"] = " AND ".join(["expires_ms > :now", *conditions])
    request["ExpressionAttributeValues"] |= {":now": {"N": str(store.now_ms())}, **values}
    return request


def _path(path: str, names: dict[str, str]) -> str:
    """`path` (`salary.max`) as expression attribute names (`#salary.#max`), added to `names`."""
    parts = path.split(".")
    names.update({f"#{part}": part for part in parts})
    return ".".join(f"#{part}" for part in parts)


def browse(kind: Kind, criteria: Criteria, *, limit: int, cursor: str | None) -> dict[str, Any]:
    low = criteria.low or 0
    high = MAX_PRICE if criteria.high is None else criteria.high
    if low > high:
        return {"data": [], "next_cursor": None}  # an empty range holds nothing
    pk = f"{kind.noun}#{criteria.category}"
    ranged = criteria.low is not None or criteria.high is not None
    conditions: list[str] = []
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    if criteria.sort == "newest":
        partition, position = "browse_pk", {"browse_sk": _newest(kind)}
        request: dict[str, Any] = {"IndexName": store.NEWEST, "KeyConditionExpression": "browse_pk = :p"}
    else:
        partition, position = "price_pk", {"price_sk": _by_price(kind)}
        request = {"IndexName": store.BY_PRICE, "KeyConditionExpression": "price_pk = :p"}
        if criteria.position:  # one currency (and period): the range is part of the key condition
            request["KeyConditionExpression"] += " AND price_sk BETWEEN :low AND :high"
            values |= {
                ":low": {"S": f"{criteria.position}#{low:0{store.PRICE_DIGITS}d}#"},
                ":high": {"S": f"{criteria.position}#{high:0{store.PRICE_DIGITS}d}#~"},  # `~` sorts after every id
            }
            ranged = False
    if ranged:
        conditions.append(f"{_path(criteria.amount, names)} BETWEEN :min AND :max")
        values |= {":min": {"N": str(low)}, ":max": {"N": str(high)}}
    for number, (path, value) in enumerate(sorted(criteria.equal.items())):
        if criteria.sort == "newest" or not (criteria.position and path in _POSITIONED):
            conditions.append(f"{_path(path, names)} = :equal{number}")
            values[f":equal{number}"] = items.attribute(value)
    # newest and price_desc read their index backwards
    request |= {"ExpressionAttributeValues": {":p": {"S": pk}}, "ScanIndexForward": criteria.sort == "price_asc"}
    if names:
        request["ExpressionAttributeNames"] = names
    scope = (
        f"{criteria.category}:{criteria.sort}:{criteria.position or '*'}:{low}:{high}:{sorted(criteria.equal.items())}"
    )
    found, next_cursor = query_page(
        store.table(),
        _filtered(request, conditions, values),
        listing=f"{kind.noun}s-browse",
        scope=scope,
        cursor=cursor,
        limit=limit,
        fixed={partition: pk},
        strings=_key(kind) | position,
    )
    return {"data": [postings.view(store.record(item)) for item in found], "next_cursor": next_cursor}


# Filters the `ByPrice` key condition already holds when the caller names a position.
_POSITIONED = frozenset({"currency", "salary.currency", "salary.period"})


def owner_postings(kind: Kind, owner: str, viewer: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """Newest first. The owner sees every posting of theirs; anyone else their published ones (a
    page may then be shorter than `limit` and still have a `next_cursor`)."""
    pk = f"owner#{owner}#{kind.noun}"
    request: dict[str, Any] = {
        "IndexName": store.BY_OWNER,
        "KeyConditionExpression": "owner_pk = :p",
        "ExpressionAttributeValues": {":p": {"S": pk}},
        "ScanIndexForward": False,
    }
    own = owner == viewer
    if not own:
        _filtered(request, ["#status = :published"], {":published": {"S": lifecycle.PUBLISHED}})
        request["ExpressionAttributeNames"] = {"#status": "status"}
    found, next_cursor = query_page(
        store.table(),
        request,
        listing=f"{kind.noun}s-owner",
        scope=f"{'own' if own else 'public'}:{owner}",
        cursor=cursor,
        limit=limit,
        fixed={"owner_pk": pk},
        strings=_key(kind) | {"owner_sk": _newest(kind)},
    )
    return {"data": [postings.view(store.record(item)) for item in found], "next_cursor": next_cursor}


def review_queue(kind: Kind, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """Postings of `kind` waiting for review, the longest waiting first."""
    partition = f"review#{kind.noun}"
    found, next_cursor = query_page(
        store.table(),
        {
            "IndexName": store.REVIEW,
            "KeyConditionExpression": "review_pk = :p",
            "ExpressionAttributeValues": {":p": {"S": partition}},
            "ScanIndexForward": True,
        },
        listing=f"{kind.noun}-review",
        scope="pending",
        cursor=cursor,
        limit=limit,
        fixed={"review_pk": partition},
        strings=_key(kind) | {"review_sk": _newest(kind)},
    )
    return {"data": [postings.view(store.record(item)) for item in found], "next_cursor": next_cursor}


def saved_page(user: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    found, next_cursor = query_page(
        store.table(),
        {
            "IndexName": store.BY_OWNER,
            "KeyConditionExpression": "owner_pk = :p",
            "ExpressionAttributeValues": {":p": {"S": f"saved#{user}"}},
            "ScanIndexForward": False,
        },
        listing="saved-items",
        scope=user,
        cursor=cursor,
        limit=limit,
        fixed={"owner_pk": f"saved#{user}"},
        strings=SAVED_KEY,
    )
    marks = [items.from_item(item) for item in found]
    current: dict[str, dict[str, Any]] = {}
    if marks:
        keys = [store.key(posting_id) for posting_id in dict.fromkeys(mark["posting_id"] for mark in marks)]
        for item in aws.batch_get({store.table(): {"Keys": keys}})[store.table()]:
            stored = store.record(item)
            current[stored["id"]] = stored
    now = store.now_ms()
    live = [(mark, current[mark["posting_id"]]) for mark in marks if _live(current.get(mark["posting_id"]), now)]
    return {
        "data": [
            {
                "object": "saved_item",
                "type": kind_of(posting["id"]).noun,
                kind_of(posting["id"]).noun: postings.view(posting),
                "saved_at": timestamps.from_ms(mark["created_ms"]),
            }
            for mark, posting in live
        ],
        "next_cursor": next_cursor,
    }


def _live(posting: dict[str, Any] | None, now: int) -> bool:
    return bool(posting and posting["status"] == lifecycle.PUBLISHED and posting["expires_ms"] > now)


# ------------------------------------------------------------------------------ applications
_APPLICATION = r"app_[0-9a-z]{26}"
_APPLICATION_KEY = {"pk": re.compile(rf"^application#{_APPLICATION}$"), "sk": re.compile(r"^application$")}
_APPLICATION_POSITION = re.compile(rf"^\d{{13}}#{_APPLICATION}$")


def applications_of(applicant: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The candidate's applications, newest first."""
    return _applications_page(
        store.BY_OWNER,
        "owner",
        f"applicant#{applicant}",
        listing="applications-mine",
        scope=applicant,
        limit=limit,
        cursor=cursor,
    )


def applications_to(job_id: str, employer: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The applications to the employer's own job, newest first (404 for any other job)."""
    job = postings.read(job_id, JOB, employer)
    if job["employer"] != employer:
        raise postings.not_found(job_id, JOB)  # its applications are its employer's alone
    return _applications_page(
        store.NEWEST,
        "browse",
        f"applications#{job_id}",
        listing="applications-job",
        scope=job_id,
        limit=limit,
        cursor=cursor,
    )


def _applications_page(
    index: str, prefix: str, partition: str, *, listing: str, scope: str, limit: int, cursor: str | None
) -> dict[str, Any]:
    found, next_cursor = _index_page(
        index,
        prefix,
        partition,
        keys=_APPLICATION_KEY,
        position=_APPLICATION_POSITION,
        listing=listing,
        scope=scope,
        limit=limit,
        cursor=cursor,
    )
    return {"data": [applications.view(applications.stored(item)) for item in found], "next_cursor": next_cursor}


def _index_page(
    index: str,
    prefix: str,
    partition: str,
    *,
    keys: dict[str, re.Pattern[str]],
    position: re.Pattern[str],
    listing: str,
    scope: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of one partition of `ByOwner` (`prefix` `owner`) or `Newest` (`browse`), newest first."""
    return query_page(
        store.table(),
        {
            "IndexName": index,
            "KeyConditionExpression": f"{prefix}_pk = :p",
            "ExpressionAttributeValues": {":p": {"S": partition}},
            "ScanIndexForward": False,
        },
        listing=listing,
        scope=scope,
        cursor=cursor,
        limit=limit,
        fixed={f"{prefix}_pk": partition},
        strings=keys | {f"{prefix}_sk": position},
    )


# ------------------------------------------------------------------------------------ contacts
_CONTACT = r"ctc_[0-9a-f]{32}"
_CONTACT_KEY = {"pk": re.compile(rf"^contact#{_CONTACT}$"), "sk": re.compile(r"^contact$")}
_CONTACT_POSITION = re.compile(rf"^\d{{13}}#{_CONTACT}$")
_CONTACT_MESSAGE = re.compile(r"^message#\d{13}#cmg_[0-9a-z]{26}$")


def contacts_of(user: str, role: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The contacts `user` started (`sent`, on `ByOwner`) or was asked in (`received`, on `Newest`),
    newest first."""
    index, prefix = (store.BY_OWNER, "owner") if role == "sent" else (store.NEWEST, "browse")
    found, next_cursor = _index_page(
        index,
        prefix,
        f"contacts-{role}#{user}",
        keys=_CONTACT_KEY,
        position=_CONTACT_POSITION,
        listing=f"contacts-{role}",
        scope=user,
        limit=limit,
        cursor=cursor,
    )
    return {"data": [contact.view(contact.stored(item)) for item in found], "next_cursor": next_cursor}


def contact_messages(contact_id: str, viewer: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """A relayed contact's messages, newest first, to its two people alone."""
    contact.relayed(contact_id, viewer)
    partition = f"contact#{contact_id}"
    found, next_cursor = query_page(
        store.table(),
        {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :message)",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":message": {"S": "message#"}},
            "ScanIndexForward": False,
            "ConsistentRead": True,
        },
        listing="contact-messages",
        scope=contact_id,
        cursor=cursor,
        limit=limit,
        fixed={"pk": partition},
        strings={"sk": _CONTACT_MESSAGE},
    )
    return {"data": [contact.message_view(contact.stored(item)) for item in found], "next_cursor": next_cursor}
