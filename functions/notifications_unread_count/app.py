"""GET /api/notifications/unread-count: how many of your notifications are unread."""

from __future__ import annotations

from eckospace.http.auth import current_principal, requires
from eckospace.http.documented import body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.notifications.service import unread_count

app = make_resolver()


@app.get(
    "/api/notifications/unread-count",
    summary="Your unread count",
    description="One read of a counter kept with the notifications, for a badge.",
    tags=["Notifications"],
    responses={200: body("eckospace.notifications.models:UnreadCount", "The unread count"), **PROBLEM_RESPONSES},
    **requires("notifications:read", tokens=("user",)),
)
def count():
    return json_response(unread_count(current_principal(app).subject), headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
