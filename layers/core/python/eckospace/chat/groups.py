"""Group conversations: a title, up to `MAX_MEMBERS` members, and roles.

- The owner (who made it) may do everything: invite, remove anyone, rename, change roles, and hand
  the group to another member (`role: owner`; they become an admin). The owner leaves last.
- Admins invite, rename, and remove members (not the owner or other admins).
- Members write, read, mute and leave.

Membership changes are one transaction each with the head's `member_count` (conditional on the
count read, so the cap holds under concurrent invitations) and, for a member leaving, their
unread total (conditional on the read state read, so totals stay exact).
"""

from __future__ import annotations

import secrets
from typing import Any

from eckospace import aws
from eckospace.chat import store
from eckospace.chat.conversations import member_item, members, not_found, put, read_state
from eckospace.chat.views import conversation_view
from eckospace.errors import Conflict, NotFound, NotPermitted
from eckospace.transactions import Cancelled, Operation, transact

MAX_MEMBERS = 256
MAX_INVITED = 50  # a request's invitations: one transaction holds them and the head
ATTEMPTS = 5
RANK = {store.OWNER: 2, store.ADMIN: 1, store.MEMBER: 0}


class GroupFull(Conflict):
    slug = "group-full"
    title = "Group full"


def _busy() -> Conflict:
    return Conflict("The group was changing; try again.", retry_after=1)


def _members_view(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"user_id": member["user"], "role": member["role"]} for member in found]


def create_group(owner: str, title: str, invited: list[str]) -> dict[str, Any]:
    """A new group of `owner` and `invited`, in one transaction."""
    others = [user for user in dict.fromkeys(invited) if user != owner]
    if len(others) > MAX_INVITED:
        raise GroupFull(f"Invite at most {MAX_INVITED} people at once; invite more afterwards.")
    now = store.now_ms()
    conversation = "grp_" + secrets.token_hex(13)
    head = {
        **{name: value["S"] for name, value in store.head_key(conversation).items()},
        "type": store.GROUP,
        "id": conversation,
        "title": title,
        "created_by": owner,
        "created_ms": now,
        "activity_ms": now,
        "last_seq": 0,
        "member_count": 1 + len(others),
    }
    roles = {owner: store.OWNER} | dict.fromkeys(others, store.MEMBER)
    items = [member_item(head, user, role, now) for user, role in roles.items()]
    transact([("head", put(head)), *((f"member:{item['user']}", put(item)) for item in items)])
    return conversation_view(items[0], head) | {"members": _members_view(items)}


def _group(conversation: str, user: str) -> tuple[dict[str, Any], dict[str, Any]]:
    head, member = read_state(conversation, user)
    if head["type"] != store.GROUP:
        raise Conflict("A direct conversation has exactly its two people; only groups change members.")
    return head, member


def _count_update(conversation: str, head: dict[str, Any], delta: int) -> Operation:
    return (
        "head",
        {
            "Update": {
                "TableName": store.table(),
                "Key": store.head_key(conversation),
                "UpdateExpression": "SET member_count = :count",
                "ConditionExpression": "member_count = :was",
                "ExpressionAttributeValues": {
                    ":count": {"N": str(head["member_count"] + delta)},
                    ":was": {"N": str(head["member_count"])},
                },
            }
        },
    )


def invite(conversation: str, user: str, invited: list[str]) -> dict[str, Any]:
    """Adds people (owner and admins); those already in are left as they are."""
    wanted = list(dict.fromkeys(invited))
    if len(wanted) > MAX_INVITED:
        raise GroupFull(f"Invite at most {MAX_INVITED} people at once.")
    for _ in range(ATTEMPTS):
        head, member = _group(conversation, user)
        if RANK[member["role"]] < RANK[store.ADMIN]:
            raise NotPermitted("Only the group's owner and admins invite people.")
        keys = [store.member_key(conversation, someone) for someone in wanted]
        found = aws.batch_get({store.table(): {"Keys": keys, "ConsistentRead": True}})[store.table()] if keys else []
        present = {store.from_item(item)["user"] for item in found}
        new = [someone for someone in wanted if someone not in present]
        if not new:
            break
        if head["member_count"] + len(new) > MAX_MEMBERS:
            raise GroupFull(f"A group holds at most {MAX_MEMBERS} members.")
        now = store.now_ms()
        operations = [_count_update(conversation, head, len(new))]
        operations += [(f"member:{someone}", put(member_item(head, someone, store.MEMBER, now))) for someone in new]
        try:
            transact(operations)
        except Cancelled:
            continue  # the group changed meanwhile: read it again
        break
    else:
        raise _busy()
    return read_group(conversation, user)


def read_group(conversation: str, user: str) -> dict[str, Any]:
    head, member = read_state(conversation, user)
    return conversation_view(member, head) | {"members": _members_view(members(conversation))}


def remove(conversation: str, user: str, removed: str) -> None:
    """`removed` leaves the group: by their own choice (`removed == user`) or removed by the owner
    or an admin who outranks them."""
    for _ in range(ATTEMPTS):
        head, member = _group(conversation, user)
        if removed == user:
            target = member
            if member["role"] == store.OWNER and head["member_count"] > 1:
                raise Conflict("The owner leaves last: hand the group to another member first (role `owner`).")
        else:
            found = (
                aws.client("dynamodb")
                .get_item(TableName=store.table(), Key=store.member_key(conversation, removed), ConsistentRead=True)
                .get("Item")
            )
            if found is None:
                raise NotFound(f"{removed} is not a member of this group.")
            target = store.from_item(found)
            if RANK[member["role"]] < RANK[store.ADMIN] or RANK[target["role"]] >= RANK[member["role"]]:
                raise NotPermitted("Only the owner, or an admin for members, removes someone from a group.")
        operations: list[Operation] = [
            _count_update(conversation, head, -1),
            (
                "member",
                {
                    "Delete": {
                        "TableName": store.table(),
                        "Key": store.member_key(conversation, removed),
                        "ConditionExpression": "last_seq = :copy AND last_read_seq = :read",
                        "ExpressionAttributeValues": {
                            ":copy": {"N": str(target["last_seq"])},
                            ":read": {"N": str(target["last_read_seq"])},
                        },
                    }
                },
            ),
        ]
        if store.unread(target):
            operations.append(("total", store.total_update(removed, -store.unread(target))))
        try:
            transact(operations)
        except Cancelled:
            continue
        return
    raise _busy()


def change_role(conversation: str, user: str, changed: str, role: str) -> dict[str, Any]:
    """The owner makes a member an admin or a member again, or hands them the group."""
    head, member = _group(conversation, user)
    if member["role"] != store.OWNER:
        raise NotPermitted("Only the group's owner changes roles.")
    if changed == user:
        raise NotPermitted("The owner hands the group to someone else by giving them the role `owner`.")
    key = store.member_key(conversation, changed)

    def set_role(who: dict[str, Any], to: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": store.table(),
                "Key": who,
                "UpdateExpression": "SET #role = :role",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeNames": {"#role": "role"},
                "ExpressionAttributeValues": {":role": {"S": to}},
            }
        }

    operations: list[Operation] = [("member", set_role(key, role))]
    if role == store.OWNER:
        operations.append(("owner", set_role(store.member_key(conversation, user), store.ADMIN)))
    try:
        transact(operations)
    except Cancelled as cancelled:
        if cancelled.failed == "member":
            raise NotFound(f"{changed} is not a member of this group.") from None
        raise _busy() from None
    return read_group(conversation, user)


def rename(conversation: str, user: str, title: str) -> dict[str, Any]:
    """A new title (owner and admins), on the head and every member's inbox copy."""
    _head, member = _group(conversation, user)
    if RANK[member["role"]] < RANK[store.ADMIN]:
        raise NotPermitted("Only the group's owner and admins rename it.")
    dynamodb = aws.client("dynamodb")
    dynamodb.update_item(
        TableName=store.table(),
        Key=store.head_key(conversation),
        UpdateExpression="SET title = :title",
        ExpressionAttributeValues={":title": {"S": title}},
    )
    for someone in members(conversation):
        try:
            dynamodb.update_item(
                TableName=store.table(),
                Key=store.member_key(conversation, someone["user"]),
                UpdateExpression="SET title = :title",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":title": {"S": title}},
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            pass  # left meanwhile
    return read_group(conversation, user)


def mute(conversation: str, user: str, muted: bool) -> dict[str, Any]:
    """Your own setting, for any conversation: a client shows no notification for a muted one."""
    if not store.CONVERSATION_ID.match(conversation):
        raise not_found(conversation)
    dynamodb = aws.client("dynamodb")
    try:
        answer = dynamodb.update_item(
            TableName=store.table(),
            Key=store.member_key(conversation, user),
            UpdateExpression="SET muted = :muted",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":muted": {"BOOL": muted}},
            ReturnValues="ALL_NEW",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        raise not_found(conversation) from None
    return conversation_view(store.from_item(answer["Attributes"]))
