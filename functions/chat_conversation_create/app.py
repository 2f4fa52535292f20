"""POST /api/conversations: open a direct conversation (the one that exists, or a new one), or
make a group."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from eckospace.chat.conversations import open_direct
from eckospace.chat.groups import MAX_INVITED, create_group
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import TITLE_PATTERN, USER_PATTERN, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


class NewDirect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["direct"]
    user_id: str = Field(pattern=USER_PATTERN, description="The other person's user id")


class NewGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["group"]
    title: str = Field(min_length=1, max_length=100, pattern=TITLE_PATTERN, description="1 to 100 characters")
    members: list[Annotated[str, Field(pattern=USER_PATTERN)]] = Field(
        default_factory=list,
        max_length=MAX_INVITED,
        description=f"User ids to invite besides you (at most {MAX_INVITED}; invite more afterwards)",
    )


class NewConversation(RootModel[Annotated[NewDirect | NewGroup, Field(discriminator="type")]]):
    pass


@app.post(
    "/api/conversations",
    summary="Open a conversation",
    description=(
        "`direct`: the conversation with `user_id`, the one you two already have (200) or a new one (201); two "
        "people opening it at the same moment get the same conversation. `group`: a new group (201) with you as "
        "its owner and `members` as members."
    ),
    tags=["Chat"],
    responses={
        200: body("Conversation", "The direct conversation you two already have"),
        201: body("Conversation", "The new conversation"),
        403: problem(
            "Missing API key, the token lacks `chat:write` or is not a user's, `user_id` is your own, or one of you "
            "blocked the other"
        ),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status != 403},
    },
    **requires("chat:write", tokens=("user",)),
)
def create(request: NewConversation):
    user = current_principal(app).subject
    wanted = request.root
    if isinstance(wanted, NewGroup):
        conversation, created = create_group(user, wanted.title, wanted.members), True
    else:
        conversation, created = open_direct(user, wanted.user_id)
    return json_response(conversation, status=201 if created else 200, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
