"""POST /broadcasting/auth: the channel authorization Laravel Echo and pusher-js ask for."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from eckospace.errors import InvalidInput
from eckospace.http.auth import current_principal, headers, requires
from eckospace.http.body import raw_body
from eckospace.http.documented import problem
from eckospace.http.realtime_routes import body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver, with_request_body
from eckospace.realtime.authorization import authorize_channel
from eckospace.realtime.channels import AUTHORIZED_CHANNEL_PATTERN
from eckospace.realtime.protocol import CHANNEL_NAME_MAX

app = make_resolver()

FIELDS = {
    "type": "object",
    "required": ["socket_id", "channel_name"],
    "properties": {
        "socket_id": {"type": "string", "pattern": r"^\d+\.\d+$", "description": "From `connection_established`"},
        "channel_name": {
            "type": "string",
            "maxLength": CHANNEL_NAME_MAX,
            "pattern": AUTHORIZED_CHANNEL_PATTERN,
            "description": "A `private-` or `presence-` channel",
        },
    },
}


def _fields() -> dict[str, str]:
    """The form fields (what pusher-js sends) or the same as JSON."""
    text = raw_body(app.current_event.raw_event).decode("utf-8", errors="replace")
    (content_type,) = headers(app, "content-type")
    if (content_type or "").startswith("application/json"):
        try:
            document = json.loads(text)
        except ValueError:
            raise InvalidInput("The body is not JSON.") from None
        found = document if isinstance(document, dict) else {}
        return {name: value for name, value in found.items() if isinstance(value, str)}
    try:
        fields = parse_qs(text, max_num_fields=20)
    except ValueError:
        raise InvalidInput("The form has too many fields.") from None
    return {name: values[-1] for name, values in fields.items()}


@app.post(
    "/broadcasting/auth",
    summary="Authorize a channel subscription",
    description=(
        "Laravel Echo's and pusher-js's channel authorization (their default `authEndpoint`), for a signed-in "
        "person: `private-users.{your id}`, and `presence-hashtags.{tag}`. Form fields (or JSON) `socket_id` and "
        "`channel_name`; the answer's `auth` and `channel_data` go into `pusher:subscribe` unchanged. "
        "403 for a channel you may not join."
    ),
    tags=["Realtime"],
    responses={
        200: body("ChannelAuthorization", "The signed authorization"),
        403: problem("You may not join this channel, or the token lacks `realtime:read`"),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status != 403},
    },
    **with_request_body(
        requires("realtime:read", tokens=("user",)),
        {"application/x-www-form-urlencoded": {"schema": FIELDS}, "application/json": {"schema": FIELDS}},
    ),
)
def authorize():
    fields = _fields()
    missing = [name for name in ("socket_id", "channel_name") if not fields.get(name)]
    if missing:
        problems = [{"in": "body", "name": name, "detail": "required"} for name in missing]
        raise InvalidInput(f"Missing {', '.join(missing)}.", errors=problems)
    user_id = current_principal(app).subject
    return json_response(authorize_channel(user_id, fields["socket_id"], fields["channel_name"]))


lambda_handler = entrypoint(app)
