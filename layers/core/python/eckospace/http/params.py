"""Route input declarations that cost nothing at import time.

`Annotated[str | None, Query(description=..., max_length=64)]` declares a query parameter the way
Powertools' own `Query` does, but importing this module loads neither pydantic nor Powertools'
OpenAPI models (together most of a function's cold start). The declarations become pydantic
fields on the route's first request (`eckospace.http.validation`) and Powertools OpenAPI
parameters only when the OpenAPI document is generated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Param:
    location: ClassVar[str]

    description: str | None = None
    alias: str | None = None
    examples: tuple[Any, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    ge: float | None = None
    le: float | None = None

    def options(self) -> dict[str, Any]:
        """The declared options, as keyword arguments for pydantic's or Powertools' field types."""
        options = {name: value for name, value in asdict(self).items() if value is not None}
        if "examples" in options:
            options["examples"] = list(options["examples"])
        return options

    def pydantic_field(self, default: Any) -> Any:
        from pydantic import Field

        return Field(default, **self.options())

    def openapi_param(self) -> Any:
        """The Powertools parameter (its default comes from the function's signature)."""
        from aws_lambda_powertools.event_handler.openapi import params

        return getattr(params, type(self).__name__)(**self.options())


class Query(Param):
    location = "query"


class Path(Param):
    location = "path"


class Header(Param):
    location = "header"
