"""Serving app translations: pick the locale (query, else Accept-Language, else the default), walk
its fallback chain, and render the catalogue once with a strong ETag.

Catalogue lookups are cached in the sandbox for `ECKO_TRANSLATIONS_CACHE_SECONDS` (default 60),
misses included, so a warm read makes no backend call and a burst of unknown locales makes at most
one BatchGetItem each per TTL.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

from eckospace.errors import InvalidInput, NotFound
from eckospace.translations import settings, store
from eckospace.translations.locales import (
    DEFAULT_LOCALE,
    accept_language_tags,
    canonical_case,
    fallback_chain,
    is_well_formed,
)
from eckospace.translations.store import Catalogue

_MAX_CACHED_LOCALES = 1024

_cache: dict[str, tuple[float, Catalogue | None]] = {}
# Rendered answers by (locale, Accept-Language): a warm request is one dictionary lookup.
_rendered: dict[tuple[str | None, str | None], tuple[float, ServedTranslations]] = {}


@dataclass(frozen=True)
class ServedTranslations:
    locale: str
    body: str
    etag: str


def clear_cache() -> None:
    _cache.clear()
    _rendered.clear()


def _cache_seconds() -> float:
    return settings.CACHE_SECONDS()


def _first_stored(candidates: list[str]) -> Catalogue | None:
    now = time.monotonic()
    stale = [locale for locale in candidates if _cache.get(locale, (0.0, None))[0] <= now]
    if stale:
        fetched = store.get_catalogues(stale)
        if len(_cache) + len(stale) > _MAX_CACHED_LOCALES:
            _cache.clear()
        expires = now + _cache_seconds()
        for locale in stale:
            _cache[locale] = (expires, fetched.get(locale))
    for locale in candidates:
        catalogue = _cache[locale][1]
        if catalogue is not None:
            return catalogue
    return None


def _requested_tag(locale: str | None, accept_language: str | None) -> tuple[str | None, list[str]]:
    """The requested tag (canonical) and the lookup candidates, best first."""
    if locale is not None:
        if not is_well_formed(locale):
            raise InvalidInput(
                "locale must be a well-formed BCP 47 language tag, such as en, fr-CA or zh-Hant-TW.",
                errors=[{"in": "query", "name": "locale", "detail": "is not a well-formed BCP 47 language tag"}],
            )
        return canonical_case(locale), fallback_chain(locale)
    candidates: list[str] = []
    for tag in accept_language_tags(accept_language):
        candidates.extend(c for c in fallback_chain(tag, default="") if c and c not in candidates)
    if DEFAULT_LOCALE not in candidates:
        candidates.append(DEFAULT_LOCALE)
    return None, candidates


def _strong_etag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def serve_app_translations(locale: str | None, accept_language: str | None = None) -> ServedTranslations:
    key = (locale, accept_language)
    hit = _rendered.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    requested, candidates = _requested_tag(locale, accept_language)
    catalogue = _first_stored(candidates)
    if catalogue is None:
        raise NotFound(f"No translations exist for {requested or 'any accepted locale'} or its fallbacks.")
    head = json.dumps(
        {
            "locale": catalogue.locale,
            "requested_locale": requested,
            "direction": catalogue.direction,
            "version": catalogue.version,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    body = f'{head[:-1]},"messages":{catalogue.messages_json}}}'
    served = ServedTranslations(locale=catalogue.locale, body=body, etag=_strong_etag(body))
    if len(_rendered) >= _MAX_CACHED_LOCALES:
        _rendered.clear()
    # Never outlive the catalogue it was rendered from.
    _rendered[key] = (min(_cache[loc][0] for loc in candidates), served)
    return served
