"""Whether a user is connected right now, for other contexts (notifications hold back what a
connected user sees anyway). It reads only the connections bound to the user (`u#{user}` items, see
`eckospace.realtime.store`) and carries only the table's setting, so its readers need no other
realtime setting: empty when the realtime module is off, and then nobody is connected.
"""

from __future__ import annotations

import time

from eckospace import aws
from eckospace.config import Setting

TABLE = Setting("ECKO_REALTIME_TABLE", str)


def connected(user_id: str, *, now: float | None = None) -> bool:
    """True when a connection of the user is bound and not expired."""
    table = TABLE()
    if not table:
        return False
    answer = aws.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :connection)",
        # TTL deletes expired items only eventually. No Limit: it would count items before this
        # filter, so one expired item could hide a live one; the partition holds at most the
        # connections-per-user limit and what TTL has yet to remove.
        FilterExpression="expires_at > :now",
        ProjectionExpression="sk",
        ExpressionAttributeValues={
            ":pk": {"S": f"u#{user_id}"},
            ":connection": {"S": "c#"},
            ":now": {"N": str(int(now or time.time()))},
        },
    )
    return bool(answer.get("Items"))
