"""GET /api/notifications: your notifications, newest first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.documented import body
from eckospace.http.params import Query
from eckospace.http.posts_routes import CURSOR, LIMIT
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.notifications.listing import list_notifications

app = make_resolver()


@app.get(
    "/api/notifications",
    summary="Your notifications",
    description="Newest first; `unread=true` lists only those not read yet. Notifications are kept 90 days.",
    tags=["Notifications"],
    responses={
        200: body("eckospace.notifications.models:NotificationPage", "`data` (notifications) and `next_cursor`"),
        **PROBLEM_RESPONSES,
    },
    **requires("notifications:read", tokens=("user",)),
)
def list_all(
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
    unread: Annotated[str, Query(pattern="^(true|false)$", description="`true`: only unread notifications")] = "false",
):
    page = list_notifications(current_principal(app).subject, limit=int(limit), cursor=cursor, unread=unread == "true")
    return json_response(page, headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
