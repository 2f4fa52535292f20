"""BCP 47 language tags (RFC 5646): well-formedness, canonical case and the lookup fallback chain
of RFC 4647 §3.4 (`fr-CA` -> `fr` -> the default)."""

from __future__ import annotations

import re

DEFAULT_LOCALE = "en"
MAX_TAG_LENGTH = 35  # RFC 5646 §4.4.1: implementations need not support longer tags

# RFC 5646 §2.1 "langtag" production, plus private-use tags; irregular grandfathered tags are not
# accepted (they are deprecated and no catalogue could match them). Written so that it means the same
# to Python and to JSON Schema (ECMA-262): the OpenAPI document states it as the `locale` pattern.
# Well-formed is the RFC's word for this syntax (§2.2.9); validity against the registry (a variant
# or an extension's singleton given twice, say) does not matter to a lookup, which falls back
# subtag by subtag anyway.
LANGUAGE_TAG_PATTERN = (
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language, extended language
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"  # private use
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+)$"  # a private-use tag
)
_LANGTAG = re.compile(LANGUAGE_TAG_PATTERN)


def is_well_formed(tag: str) -> bool:
    return len(tag) <= MAX_TAG_LENGTH and tag.isascii() and _LANGTAG.fullmatch(tag) is not None


def canonical_case(tag: str) -> str:
    """RFC 5646 §2.1.1 conventions: language lower, script title case, region upper."""
    parts = tag.split("-")
    out = [parts[0].lower()]
    for index, part in enumerate(parts[1:], start=1):
        if len(out[index - 1]) == 1:  # after a singleton everything stays lower case
            out.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def fallback_chain(tag: str, default: str = DEFAULT_LOCALE) -> list[str]:
    """RFC 4647 lookup: drop subtags from the end (and a singleton left dangling), then the default."""
    parts = canonical_case(tag).split("-")
    chain = []
    while parts:
        chain.append("-".join(parts))
        parts.pop()
        if parts and len(parts[-1]) == 1:
            parts.pop()
    if default not in chain:
        chain.append(default)
    return chain


def accept_language_tags(header: str | None) -> list[str]:
    """Language ranges from Accept-Language (RFC 9110 §12.5.4), best first, well-formed only."""
    if not header:
        return []
    weighted = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip()
        if quality > 0 and tag != "*" and is_well_formed(tag):
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]
