"""What `GET /api/meta/routes` answers, for the OpenAPI document.

The handler returns the route manifest's entries with `callable` added (`eckospace.platform.routes`);
these models only describe them, and are imported when the document is generated, never on a cold
start. Every key is always present.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LiveRoute(Shape):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(description="As in this document's `paths`, e.g. `/api/posts/{post_id}`")
    summary: str
    module: str = Field(
        description="The module that serves it (`payments`, `posts`, ...), or `core` for routes no "
        "template parameter switches off"
    )
    api_key: bool = Field(description="Whether it needs an API key (`x-api-key`)")
    auth: Literal["bearer", "none"] = Field(
        description="`bearer`: it needs an access token; `none`: the caller proves itself otherwise, or not at all"
    )
    scopes: list[str] = Field(description="The scopes the token needs, sorted; empty: any valid token")
    tokens: list[Literal["user", "client"]] = Field(
        description="The kinds of token it takes: a person's (`user`), an integration's (`client`); empty when "
        "it takes no bearer token"
    )
    callable: bool = Field(description="Whether the token you sent may call it")


class LiveRouteList(Shape):
    data: list[LiveRoute] = Field(description="Sorted by path, then method")
    next_cursor: None = Field(description="Always null: every route is on this one page")
