"""Where counters live: the partition key of each scope's counters.

An object's counters are under `obj#<id>`, an owner's under `own#<person>`, and the platform's under
`all#<shard>`: every event counts for the platform, so no single key may take every write. The shard
is fixed by the person's pseudonym, which keeps each shard's count of distinct people exact, and
the platform's figures are the sums over its shards.
"""

from __future__ import annotations

PLATFORM = "all"
PLATFORM_SHARDS = 8


def of_object(object_id: str) -> str:
    return f"obj#{object_id}"


def of_owner(person: str) -> str:
    return f"own#{person}"


def of_platform(visitor: str) -> str:
    return f"all#{int(visitor[0], 16) % PLATFORM_SHARDS}"


def partitions(scope: str) -> list[str]:
    """The keys a scope's counters live under: itself, or for the platform, each of its shards."""
    return [f"all#{shard}" for shard in range(PLATFORM_SHARDS)] if scope == PLATFORM else [scope]
