"""POST /api/notifications/{notification_id}/read: mark one notification read."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.documented import empty, problem
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.notifications.service import mark_read

app = make_resolver()


@app.post(
    "/api/notifications/<notification_id>/read",
    summary="Mark a notification read",
    description="Idempotent: 204 whether it was unread or read already.",
    tags=["Notifications"],
    responses={204: empty("Read"), 404: problem("No such notification of yours"), **PROBLEM_RESPONSES},
    **requires("notifications:write", tokens=("user",)),
)
def read(notification_id: Annotated[str, Path(max_length=64)]):
    mark_read(current_principal(app).subject, notification_id)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
