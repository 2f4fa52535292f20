"""POST /api/conversations/{conversation_id}/members: invite people to a group."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from eckospace.chat.groups import MAX_INVITED, MAX_MEMBERS, invite
from eckospace.chat.live import announce
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, USER_PATTERN, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


class Invitation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_ids: list[Annotated[str, Field(pattern=USER_PATTERN)]] = Field(
        min_length=1, max_length=MAX_INVITED, description=f"1 to {MAX_INVITED} user ids; members already are ignored"
    )


@app.post(
    "/api/conversations/<conversation_id>/members",
    summary="Invite people to a group",
    description=f"For the group's owner and admins. A group holds at most {MAX_MEMBERS} members.",
    tags=["Chat"],
    responses={
        200: body("Conversation", "The group, with its members"),
        403: problem("Missing API key, the token lacks `chat:write` or is not a user's, or you are a plain member"),
        404: problem("No such conversation that you are a member of"),
        409: problem(
            "A direct conversation, the group would exceed its members (`urn:eckospace:problem:group-full`), or it "
            "was changing (retry after `Retry-After`)"
        ),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status != 403},
    },
    **requires("chat:write", tokens=("user",)),
)
def add_members(conversation_id: Annotated[str, CONVERSATION], request: Invitation):
    group = invite(conversation_id, current_principal(app).subject, request.user_ids)
    invited = set(request.user_ids)
    added = [member for member in group["members"] if member["user_id"] in invited]
    payload = {"conversation_id": conversation_id, "members": added}
    announce(conversation_id, "member.added", payload, except_socket=None)
    return json_response(group, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
