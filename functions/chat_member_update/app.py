"""PATCH /api/conversations/{conversation_id}/members/{user_id}: change a group member's role."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.chat.groups import change_role
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, USER, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["owner", "admin", "member"] = Field(description="`owner` hands them the group: you become an admin")


@app.patch(
    "/api/conversations/<conversation_id>/members/<user_id>",
    summary="Change a group member's role",
    description="For the group's owner.",
    tags=["Chat"],
    responses={
        200: body("Conversation", "The group, with its members"),
        403: problem(
            "Missing API key, the token lacks `chat:write` or is not a user's, you are not the owner, or `user_id` "
            "is yours"
        ),
        404: problem("No such conversation that you are a member of, or no such member in it"),
        409: problem("A direct conversation, or the group was changing (retry after `Retry-After`)"),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status != 403},
    },
    **requires("chat:write", tokens=("user",)),
)
def update_member(conversation_id: Annotated[str, CONVERSATION], user_id: Annotated[str, USER], request: RoleChange):
    group = change_role(conversation_id, current_principal(app).subject, user_id, request.role)
    return json_response(group, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
