"""GET /api/translations/app: the app's UI messages for a locale, with fallback and ETags."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import headers, requires
from eckospace.http.conditional import if_none_match_hits
from eckospace.http.params import Query
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.translations.locales import LANGUAGE_TAG_PATTERN, MAX_TAG_LENGTH
from eckospace.translations.service import serve_app_translations

# Private: the response is only served to authenticated callers. Catalogues change rarely, and the
# ETag makes revalidation after max-age a cheap 304.
CACHE_CONTROL = "private, max-age=300, stale-while-revalidate=60"
HEADERS = {
    "ETag": {
        "description": "The catalogue's strong entity tag: send it back as `If-None-Match`",
        "schema": {"type": "string"},
    },
    "Content-Language": {"description": "The locale served", "schema": {"type": "string"}},
}

app = make_resolver()


@app.get(
    "/api/translations/app",
    summary="Get the app's translations for a locale",
    description=(
        "Returns the UI message catalogue for `locale` (a BCP 47 tag), falling back along its chain "
        "(`fr-CA` -> `fr` -> `en`); without `locale`, Accept-Language decides. The served locale is in "
        "the body and in Content-Language. Send the ETag back in If-None-Match to get a 304."
    ),
    tags=["Translations"],
    responses={
        200: {
            "description": "The catalogue",
            "headers": HEADERS,
            "content": {"application/json": {"model": "eckospace.translations.models:AppTranslations"}},
        },
        304: {"description": "Not modified since the ETag in If-None-Match", "headers": HEADERS, "content": {}},
        404: {
            "description": "No catalogue exists for the locale, its fallbacks or the default locale",
            "content": PROBLEM_RESPONSES[400]["content"],
        },
        **PROBLEM_RESPONSES,
    },
    **requires("translations:read"),
)
def get_app_translations(
    locale: Annotated[
        str | None,
        Query(
            description="BCP 47 language tag, for example en, fr-CA, ar",
            max_length=MAX_TAG_LENGTH,
            pattern=LANGUAGE_TAG_PATTERN,
            examples=("en",),
        ),
    ] = None,
):
    accept_language, if_none_match = headers(app, "accept-language", "if-none-match")
    served = serve_app_translations(locale, accept_language)
    response_headers = {
        "ETag": served.etag,
        "Content-Language": served.locale,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Language",
    }
    if if_none_match_hits(if_none_match, served.etag):
        return Response(status_code=304, headers=response_headers)
    return Response(
        status_code=200, content_type="application/json; charset=utf-8", body=served.body, headers=response_headers
    )


lambda_handler = entrypoint(app)
