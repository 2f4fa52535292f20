"""What a post's text may hold, and what it says: hashtags and mentions.

Text is NFC-normalised, 1 to 5000 characters, and free of control characters other than newline
and tab. A hashtag is `#` and 1 to 50 word characters (any script), compared case-folded; a mention
is `@` and a user id (`[A-Za-z0-9_-]{1,64}`): there is no handle directory yet, so mentions address
user ids. At most 10 of each; mentioning yourself is ignored.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 5000
MAX_HASHTAGS = 10
MAX_MENTIONS = 10
MAX_TAG_LENGTH = 50

# What normalize_text refuses besides the length, as one pattern that means the same to Python, to
# pydantic and to JSON Schema (the OpenAPI document states it): no control character but newline
# and tab (Cc), and something other than white space (what str.strip removes).
_CONTROL = r"\x00-\x08\x0B-\x1F\x7F-\x9F"
_BLANK = r"\t\n \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
TEXT_PATTERN = rf"^[^{_CONTROL}]*[^{_CONTROL}{_BLANK}][^{_CONTROL}]*$"

_HASHTAG = re.compile(r"(?<![\w#])#(\w{1,50})(?!\w)")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_-]{1,64})(?![\w-])")
_TAG_ONLY = re.compile(r"^\w{1,50}$")


class TextProblem(ValueError):
    """The text breaks a rule; the message says which."""


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if not 1 <= len(text) <= MAX_TEXT:
        raise TextProblem(f"must be 1 to {MAX_TEXT} characters (it has {len(text)})")
    if not text.strip():
        raise TextProblem("must not be blank")
    for char in text:
        if char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cs"):
            raise TextProblem(f"must not contain control characters (found U+{ord(char):04X})")
    return text


def normalize_tag(tag: str) -> str | None:
    """The canonical form of a hashtag (without `#`), or None if it is not one."""
    tag = unicodedata.normalize("NFC", tag.removeprefix("#")).casefold()
    return tag if _TAG_ONLY.match(tag) else None


def hashtags(text: str) -> list[str]:
    found: list[str] = []
    for match in _HASHTAG.finditer(text):
        tag = normalize_tag(match.group(1))
        if tag and tag not in found:
            found.append(tag)
    if len(found) > MAX_HASHTAGS:
        raise TextProblem(f"may hold at most {MAX_HASHTAGS} hashtags (it has {len(found)})")
    return found


def mentions(text: str, *, author: str) -> list[str]:
    found: list[str] = []
    for match in _MENTION.finditer(text):
        user = match.group(1)
        if user != author and user not in found:
            found.append(user)
    if len(found) > MAX_MENTIONS:
        raise TextProblem(f"may mention at most {MAX_MENTIONS} users (it mentions {len(found)})")
    return found
