"""PUT /api/notifications/preferences: switch notification types on or off."""

from __future__ import annotations

from eckospace.http.auth import current_principal, requires
from eckospace.http.documented import body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.notifications.models import PreferencesUpdate
from eckospace.notifications.service import put_preferences

app = make_resolver()


@app.put(
    "/api/notifications/preferences",
    summary="Set your notification preferences",
    description=(
        "Replaces them: each type named is on or off, each left out is on; an unknown type is 400. "
        "A type switched off makes no notifications from then on."
    ),
    tags=["Notifications"],
    responses={
        200: body("eckospace.notifications.models:NotificationPreferences", "Your preferences now"),
        **PROBLEM_RESPONSES,
    },
    **requires("notifications:write", tokens=("user",)),
)
def set_preferences(update: PreferencesUpdate):
    types = update.types.model_dump(exclude_unset=True)
    return json_response(put_preferences(current_principal(app).subject, types), headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
