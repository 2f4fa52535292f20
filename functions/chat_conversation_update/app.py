"""PATCH /api/conversations/{conversation_id}: rename a group."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from eckospace.chat.groups import rename
from eckospace.chat.live import announce
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, TITLE_PATTERN, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


class GroupChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=100, pattern=TITLE_PATTERN, description="1 to 100 characters")


@app.patch(
    "/api/conversations/<conversation_id>",
    summary="Rename a group",
    description="For the group's owner and admins.",
    tags=["Chat"],
    responses={
        200: body("Conversation", "The group, with its members"),
        403: problem("Missing API key, the token lacks `chat:write` or is not a user's, or you are a plain member"),
        404: problem("No such conversation that you are a member of"),
        409: problem("A direct conversation has no title"),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status != 403},
    },
    **requires("chat:write", tokens=("user",)),
)
def update_conversation(conversation_id: Annotated[str, CONVERSATION], changes: GroupChanges):
    group = rename(conversation_id, current_principal(app).subject, changes.title)
    renamed = {"id": conversation_id, "title": group["title"]}
    announce(conversation_id, "conversation.updated", renamed, except_socket=None)
    return json_response(group, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
