"""Request and response shapes of the sign-in and session endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SessionRequest(BaseModel):
    code: str = Field(min_length=20, max_length=200, description="The one-time code from the sign-in redirect.")
    binding: str = Field(min_length=20, max_length=200, description=(
        "The value of the `__Host-eckospace-sign-in` cookie that came with the browser's request for the "
        "sign-in redirect's page: the code is exchanged only for the browser that signed in."))


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=20, max_length=200)


class Session(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str = Field(description="Use once: each refresh returns a new one.")
    scope: str


class Me(BaseModel):
    id: str
    email: str
    name: str | None
    created: int
