"""POST /api/notifications/read-all: mark every notification read."""

from __future__ import annotations

from eckospace.http.auth import current_principal, requires
from eckospace.http.documented import body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.notifications.service import mark_all_read

app = make_resolver()


@app.post(
    "/api/notifications/read-all",
    summary="Mark every notification read",
    description="Idempotent: a second call marks none. The unread count is then 0.",
    tags=["Notifications"],
    responses={200: body("eckospace.notifications.models:ReadAll", "How many it marked read"), **PROBLEM_RESPONSES},
    **requires("notifications:write", tokens=("user",)),
)
def read_all():
    return json_response(mark_all_read(current_principal(app).subject), headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
