"""The local stack's DynamoDB stream event sources, without I/O: Lambda's event filtering, the
checkpoint's failure handling, shards followed parent first, iterators that expire, and what the
template resolves."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from eckolocal.emulator import forget_expired
from eckolocal.filters import compile_filter_criteria, passes
from eckolocal.pollers import DynamoDbStreamPoller, ShardProgress, StreamSource, stream_sources
from eckolocal.template import Template

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "stack" / "template.yaml"

RECORD = {
    "eventID": "1",
    "eventName": "MODIFY",
    "eventSource": "aws:dynamodb",
    "dynamodb": {
        "ApproximateCreationDateTime": 1678831218.0,
        "Keys": {"id": {"S": "note-1"}},
        "NewImage": {
            "id": {"S": "note-1"},
            "kind": {"S": "Photo"},
            "size": {"N": "42"},
            "tags": {"SS": ["red", "blue"]},
            "empty": {"S": ""},
            "nothing": {"NULL": True},
        },
        "SizeBytes": 26,
    },
}


def matches(*patterns: dict[str, Any]) -> bool:
    criteria = {"Filters": [{"Pattern": json.dumps(pattern)} for pattern in patterns]}
    return passes(compile_filter_criteria(criteria, where="test"), RECORD)


def image(field: str, kind: str, *conditions: Any) -> dict[str, Any]:
    return {"dynamodb": {"NewImage": {field: {kind: list(conditions)}}}}


def test_no_filter_lets_every_record_through():
    assert passes((), RECORD) and passes(compile_filter_criteria(None, where="test"), RECORD)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["MODIFY"]}, True),
        ({"eventName": ["INSERT", "REMOVE"]}, False),
        (image("kind", "S", "Photo"), True),
        (image("kind", "S", "photo"), False),
        (image("empty", "S", ""), True),
        (image("nothing", "NULL", True), True),
        (image("kind", "S", {"prefix": "Ph"}), True),
        (image("kind", "S", {"suffix": "oto"}), True),
        (image("kind", "S", {"prefix": "ph"}), False),
        (image("kind", "S", {"equals-ignore-case": "PHOTO"}), True),
        (image("kind", "S", {"anything-but": "Video"}), True),
        (image("kind", "S", {"anything-but": ["Video", "Photo"]}), False),
        (image("kind", "S", {"anything-but": {"prefix": "Ph"}}), False),
        (image("tags", "SS", "blue"), True),  # a list matches when one element does
        (image("tags", "SS", {"anything-but": "red"}), True),
        # DynamoDB's numbers are strings in the record: `numeric` does not match them, as on AWS.
        (image("size", "N", {"numeric": [">", 10]}), False),
        (image("size", "N", "42"), True),
        ({"dynamodb": {"SizeBytes": [{"numeric": [">", 0, "<=", 26]}]}}, True),
        ({"dynamodb": {"SizeBytes": [{"numeric": ["=", 26.0]}]}}, True),
        ({"dynamodb": {"ApproximateCreationDateTime": [{"numeric": ["<", 1678831218]}]}}, False),
        ({"dynamodb": {"SizeBytes": ["26"]}}, False),
        (image("kind", "S", {"exists": True}), True),
        (image("colour", "S", {"exists": False}), True),
        (image("colour", "S", {"exists": True}), False),
        # Conditions hold for leaf values only: an attribute's object is none.
        ({"dynamodb": {"NewImage": {"kind": [{"exists": True}]}}}, False),
        ({"dynamodb": {"NewImage": {"kind": [{"exists": False}]}}}, True),
        ({"dynamodb": {"NewImage": {"kind": ["Photo"]}}}, False),
        ({"dynamodb": {"OldImage": {"kind": {"S": [{"exists": False}]}}}}, True),
        ({"dynamodb": {"OldImage": {"kind": {"S": [{"anything-but": "x"}]}}}}, False),  # missing: no value
        # Every field of a pattern must match; one of its conditions is enough.
        ({"eventName": ["MODIFY"], **image("kind", "S", "Video")}, False),
        (image("kind", "S", "Video", {"prefix": "Pho"}), True),
    ],
)
def test_filter_patterns_match_as_lambda_matches_them(pattern, expected):
    assert matches(pattern) is expected


def test_a_record_passes_when_any_filter_matches():
    assert matches({"eventName": ["INSERT"]}, {"eventName": ["MODIFY"]})
    assert not matches({"eventName": ["INSERT"]}, {"eventName": ["REMOVE"]})


@pytest.mark.parametrize(
    "pattern",
    [
        "not json",
        '"a string"',
        "{}",
        '{"eventName": "INSERT"}',
        '{"eventName": []}',
        '{"eventName": [["INSERT"]]}',
        '{"eventName": [{"wildcard": "IN*"}]}',
        '{"eventName": [{"prefix": 1}]}',
        '{"eventName": [{"prefix": "I", "suffix": "T"}]}',
        '{"size": [{"numeric": [">", "1"]}]}',
        '{"size": [{"numeric": ["=", 1, "<", 2]}]}',
        '{"size": [{"numeric": [">"]}]}',
        '{"size": [{"exists": "yes"}]}',
        '{"size": [{"anything-but": {"wildcard": "x"}}]}',
    ],
)
def test_filters_lambda_would_refuse_are_refused(pattern):
    with pytest.raises(ValueError, match="NotesFunction.Changes: filter 1"):
        compile_filter_criteria({"Filters": [{"Pattern": pattern}]}, where="NotesFunction.Changes")


# ---------------------------------------------------------------------------- the checkpoint
def records(*numbers: int) -> list[dict[str, Any]]:
    return [{"dynamodb": {"SequenceNumber": str(n)}} for n in numbers]


def numbers(batch: list[dict[str, Any]]) -> list[int]:
    return [int(record["dynamodb"]["SequenceNumber"]) for record in batch]


def test_a_batch_that_succeeds_moves_the_checkpoint_past_it():
    progress = ShardProgress(batch_size=3)
    progress.add(records(1, 2, 3, 4), now=0.0)
    assert progress.settle(progress.next_batch(), succeeded=3) is None
    assert numbers(progress.pending) == [4] and not progress.retrying


def test_a_partial_failure_is_retried_from_the_lowest_failed_record_with_what_follows():
    progress = ShardProgress(batch_size=3, maximum_retry_attempts=5)
    progress.add(records(1, 2, 3, 4, 5), now=0.0)
    assert progress.settle(progress.next_batch(), succeeded=1) is None
    assert numbers(progress.next_batch()) == [2, 3, 4] and progress.failed_invocations == 1


def test_retries_are_counted_until_the_limit_then_the_batch_is_given_up():
    progress = ShardProgress(batch_size=2, maximum_retry_attempts=2)
    progress.add(records(1, 2, 3), now=0.0)
    outcomes = [progress.settle(progress.next_batch(), succeeded=0) for _ in range(3)]
    assert outcomes[:2] == [None, None]
    assert numbers(outcomes[2].records) == [1, 2] and outcomes[2].invocations == 3
    assert numbers(progress.pending) == [3] and not progress.retrying


def test_no_retries_gives_up_at_the_first_failure_and_minus_one_never():
    once = ShardProgress(batch_size=5, maximum_retry_attempts=0)
    once.add(records(1, 2, 3), now=0.0)
    discard = once.settle(once.next_batch(), succeeded=1)  # 1 is done; 2 and 3 failed
    assert numbers(discard.records) == [2, 3] and discard.invocations == 1
    forever = ShardProgress(batch_size=5)
    forever.add(records(1), now=0.0)
    assert all(forever.settle(forever.next_batch(), succeeded=0) is None for _ in range(50))
    assert forever.failed_invocations == 50


def test_bisection_isolates_a_failing_record_without_spending_retries():
    progress = ShardProgress(batch_size=4, maximum_retry_attempts=1, bisect_on_error=True)
    progress.add(records(1, 2, 3, 4, 5), now=0.0)
    poison, runs, discards = 3, [], []
    while progress.pending:
        batch = progress.next_batch()
        runs.append(numbers(batch))
        # The function raises on the poison: the whole batch fails, whatever it did before.
        discard = progress.settle(batch, succeeded=0 if poison in numbers(batch) else len(batch))
        discards += [numbers(discard.records)] if discard else []
    assert runs == [[1, 2, 3, 4], [1, 2], [3, 4], [3], [3], [4], [5]]
    assert discards == [[3]]


def test_with_bisection_a_reported_failure_splits_the_batch_there():
    progress = ShardProgress(batch_size=4, maximum_retry_attempts=0, bisect_on_error=True)
    progress.add(records(1, 2, 3, 4, 5), now=0.0)
    assert progress.settle(progress.next_batch(), succeeded=2) is None  # a split uses no retry
    assert numbers(progress.next_batch()) == [3, 4]


def test_a_batch_waits_for_its_window_unless_full_or_retried():
    progress = ShardProgress(batch_size=3)
    progress.add(records(1), now=10.0)
    assert not progress.ready(10.5, batching_window=1.0) and progress.ready(11.0, batching_window=1.0)
    assert progress.ready(10.0, batching_window=0.0)
    progress.add(records(2, 3), now=10.2)
    assert progress.ready(10.2, batching_window=5.0)
    assert progress.settle(progress.next_batch(), succeeded=1) is None
    assert progress.ready(10.3, batching_window=5.0)  # the retry does not wait


# ---------------------------------------------------------------------------- shards
class FakeStreams:
    """DynamoDB Streams with shards of given records; `None` in a shard's list closes it there."""

    def __init__(self, shards: dict[str, tuple[str | None, list[int | None]]]) -> None:
        self.shards = shards

    def describe_stream(self, StreamArn: str, **_: Any) -> dict[str, Any]:
        described = []
        for shard_id, (parent, numbers) in self.shards.items():
            sequence = {"StartingSequenceNumber": "0"}
            if None in numbers:
                sequence["EndingSequenceNumber"] = str(max(n for n in numbers if n is not None))
            described.append({"ShardId": shard_id, "SequenceNumberRange": sequence, "ParentShardId": parent})
        return {"StreamDescription": {"Shards": described}}

    def get_shard_iterator(self, ShardId: str, ShardIteratorType: str, SequenceNumber: str = "", **_: Any) -> dict:
        written = [n for n in self.shards[ShardId][1] if n is not None]
        start = {
            "TRIM_HORIZON": 0,
            "LATEST": len(written),
            "AFTER_SEQUENCE_NUMBER": written.index(int(SequenceNumber)) + 1 if SequenceNumber else 0,
        }[ShardIteratorType]
        return {"ShardIterator": f"{ShardId}@{start}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        shard_id, start = ShardIterator.split("@")
        written = [n for n in self.shards[shard_id][1] if n is not None]
        read = written[int(start) : int(start) + Limit]
        closed = None in self.shards[shard_id][1]
        answer: dict[str, Any] = {
            "Records": [
                {
                    "eventID": str(n),
                    "eventName": "INSERT",
                    "dynamodb": {"SequenceNumber": str(n), "Keys": {"id": {"S": "k"}}},
                }
                for n in read
            ]
        }
        end = int(start) + len(read)
        if not (closed and end == len(written)):
            answer["NextShardIterator"] = f"{shard_id}@{end}"
        return answer


class FakeTable:
    def describe_table(self, TableName: str) -> dict[str, Any]:
        return {"Table": {"StreamSpecification": {"StreamEnabled": True}, "LatestStreamArn": "arn:stream"}}


class Recorder:
    def __init__(self) -> None:
        self.seen: list[int] = []

    async def invoke(self, function: str, event: dict[str, Any], *, request_id: str | None = None) -> Any:
        self.seen += numbers(event["Records"])
        return None


def poller_on(streams: FakeStreams, position: str, recorder: Recorder) -> DynamoDbStreamPoller:
    return DynamoDbStreamPoller(
        StreamSource("NotesFunction", "arn:function", "notes", position),
        recorder,  # type: ignore[arg-type]
        dynamodb=FakeTable(),
        streams=streams,
        sqs=None,
        poll_interval=0,
    )


def delivered(streams: FakeStreams, position: str, *, rounds: int = 12, then: Any = None) -> list[int]:
    recorder = Recorder()
    poller = poller_on(streams, position, recorder)

    async def poll() -> None:
        for _ in range(rounds):
            await poller.poll_once()
        if then:
            then()
            for _ in range(rounds):
                await poller.poll_once()

    asyncio.run(poll())
    return recorder.seen


def lineage() -> FakeStreams:
    return FakeStreams(
        {
            "shard-2": ("shard-1", [3, 4, None]),
            "shard-1": (None, [1, 2, None]),
            "shard-3": ("shard-2", [5, 6]),
            "shard-4": ("gone", [7]),  # its parent was trimmed away: readable at once
        }
    )


def test_trim_horizon_reads_each_shard_to_its_end_before_its_children():
    seen = delivered(lineage(), "TRIM_HORIZON")
    assert sorted(seen) == [1, 2, 3, 4, 5, 6, 7]
    assert seen.index(2) < seen.index(3) and seen.index(4) < seen.index(5) < seen.index(6)


def test_latest_skips_closed_shards_and_what_open_ones_hold_already():
    streams = lineage()
    seen = delivered(streams, "LATEST", then=lambda: streams.shards["shard-3"][1].extend([8, 9]))
    assert seen == [8, 9]


def test_after_an_error_reading_goes_on_after_the_last_record_read():
    streams = FakeStreams({"shard-1": (None, [1, 2])})
    recorder = Recorder()
    poller = poller_on(streams, "TRIM_HORIZON", recorder)

    async def poll() -> None:
        await poller.poll_once()
        await poller.poll_once()
        poller.after_error()  # its iterator may have expired
        streams.shards["shard-1"][1].append(3)
        await poller.poll_once()

    asyncio.run(poll())
    assert recorder.seen == [1, 2, 3]


def test_the_emulator_forgets_shard_iterators_fifteen_minutes_after_handing_them_out():
    handed = {name: SimpleNamespace(handed_out=at) for name, at in (("a", 0.0), ("b", 150.0), ("c", 990.0))}
    forget_expired(handed, now=1000.0)
    assert list(handed) == ["b", "c"]


# ---------------------------------------------------------------------------- the template
def test_stream_events_resolve_to_their_table_and_settings():
    template = Template(FIXTURE)
    arn = template.get_att("NotesTable", "StreamArn")
    assert arn == "arn:aws:dynamodb:us-east-1:123456789012:table/eckospace-local-NotesTable/stream/latest"
    assert template.table_for_stream_arn(f"{template.get_att('NotesTable', 'Arn')}/stream/2026-01-01T00:00") == (
        "NotesTable"
    )
    (source,) = stream_sources(template)
    assert source.function == "NotesFunction" and source.table_name == "eckospace-local-NotesTable"
    assert source.function_arn.endswith(":function:eckospace-local-NotesFunction")
    assert (source.starting_position, source.batch_size, source.batching_window) == ("TRIM_HORIZON", 10, 0.0)
    assert source.report_item_failures and source.bisect_on_error and source.maximum_retry_attempts == 2
    assert source.on_failure_queue_url == template.ref("NotesFailuresQueue")
    assert passes(source.filters, {"dynamodb": {"Keys": {"id": {"S": "note-1"}}}})
    assert not passes(source.filters, {"dynamodb": {"Keys": {"id": {"S": "draft-1"}}}})


def stream_event(tmp_path: Path, table_properties: str, event_properties: str) -> Template:
    (tmp_path / "template.yaml").write_text(
        f"""
Resources:
  Notes:
    Type: AWS::DynamoDB::Table
    Properties: {{{table_properties}}}
  NotesFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: notes/
      Events:
        Changes:
          Type: DynamoDB
          Properties: {{Stream: !GetAtt Notes.StreamArn, {event_properties}}}
"""
    )
    return Template(tmp_path / "template.yaml")


@pytest.mark.parametrize(
    ("table", "event", "refusal"),
    [
        ("StreamSpecification: {StreamViewType: KEYS_ONLY}", "StartingPosition: AT_TIMESTAMP", "StartingPosition"),
        ("BillingMode: PAY_PER_REQUEST", "StartingPosition: LATEST", "Notes has no StreamSpecification"),
    ],
)
def test_stream_events_lambda_would_refuse_stop_the_stack(tmp_path, table, event, refusal):
    with pytest.raises(ValueError, match=f"NotesFunction.Changes: {refusal}"):
        stream_sources(stream_event(tmp_path, table, event))


def test_a_disabled_stream_event_is_not_polled(tmp_path):
    stream = "StreamSpecification: {StreamViewType: NEW_IMAGE}"
    assert stream_sources(stream_event(tmp_path, stream, "StartingPosition: LATEST, Enabled: false")) == []
    (source,) = stream_sources(stream_event(tmp_path, stream, "StartingPosition: LATEST, ParallelizationFactor: 2"))
    assert source.starting_position == "LATEST" and source.maximum_retry_attempts == -1 and source.batch_size == 100
