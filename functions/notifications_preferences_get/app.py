"""GET /api/notifications/preferences: which notification types you get."""

from __future__ import annotations

from eckospace.http.auth import current_principal, requires
from eckospace.http.documented import body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.notifications.service import get_preferences

app = make_resolver()


@app.get(
    "/api/notifications/preferences",
    summary="Your notification preferences",
    description="Every type, on or off (all on until you change them).",
    tags=["Notifications"],
    responses={
        200: body("eckospace.notifications.models:NotificationPreferences", "Your preferences"),
        **PROBLEM_RESPONSES,
    },
    **requires("notifications:read", tokens=("user",)),
)
def preferences():
    return json_response(
        get_preferences(current_principal(app).subject), headers={"Cache-Control": "private, no-store"}
    )


lambda_handler = entrypoint(app)
