"""Translations API shapes (response models feed the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AppTranslations(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: str = Field(description="The locale actually served, after fallback (also in Content-Language).")
    requested_locale: str | None = Field(description="The locale asked for, in canonical case.")
    direction: Literal["ltr", "rtl"] = Field(description="Text direction of the served locale.")
    version: str = Field(description="Content version of the served catalogue.")
    messages: dict[str, str] = Field(description="Message id to translated text.")
