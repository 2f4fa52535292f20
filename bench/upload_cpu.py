"""The document upload with a 4 MiB PDF: warm CPU per upload beside the work no implementation can
skip (base64-decode the body, hash the file, put it in S3), and the peak memory one upload
allocates, as a multiple of the file's size (budget 3x). The event exists before measuring starts,
as the runtime's copy of it does before the handler runs.

Runs in a child process with the function's sandbox environment, against the seeded emulator.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import time
import tracemalloc
from typing import Any

from bench.common import (
    DOCUMENT_UPLOAD,
    Backend,
    child_main,
    document_upload_body,
    lambda_context,
    load_handler,
    median,
    row,
    run_child,
    sample_pdf,
    with_bench_on_path,
)

FUNCTION = "MediaDocumentUploadFunction"
FILE_BYTES = 4 * 1024 * 1024
MEMORY_BUDGET = 3.0
ROUNDS = 5
PER_ROUND = 4


def run(backend: Backend, *, rounds: int = ROUNDS, per_round: int = PER_ROUND) -> dict[str, Any]:
    spec = backend.functions()[FUNCTION]
    request = {"event": backend.sample_events()[FUNCTION], "rounds": rounds, "per_round": per_round}
    result = run_child("bench.upload_cpu", request, with_bench_on_path(backend.sandbox_env(spec)), cwd=spec.code_dir)
    ms = result["median_ms"]
    result["rows"] = [
        row(
            "warm CPU per 4 MiB upload",
            FUNCTION,
            ms["ours"],
            "ms",
            peer="base64-decode + SHA-256 + PutObject of the same bytes",
            peer_value=ms["floor"],
            budget="info",
        ),
        row(
            "peak memory per 4 MiB upload",
            FUNCTION,
            result["peak_bytes"] / FILE_BYTES,
            "x file size",
            peer="the budget",
            peer_value=MEMORY_BUDGET,
            budget=f"<= {MEMORY_BUDGET}",
            passed=result["peak_bytes"] <= MEMORY_BUDGET * FILE_BYTES,
            with_ratio=False,
        ),
    ]
    return result


def _measure(request: dict[str, Any]) -> dict[str, Any]:
    from eckospace import aws
    from eckospace.media import store

    handler = load_handler()
    template_event = request["event"]
    pdf = sample_pdf(FILE_BYTES)
    body, content_type = document_upload_body(pdf)
    encoded = base64.b64encode(body).decode()

    def upload_event() -> dict[str, Any]:
        event = copy.deepcopy({**template_event, "body": ""})
        event["body"] = encoded
        event["headers"]["content-type"] = content_type
        event["multiValueHeaders"]["content-type"] = [content_type]
        return event

    def floor(event: dict[str, Any]) -> None:
        raw = base64.b64decode(event["body"])
        digest = hashlib.sha256(raw).hexdigest()
        aws.client("s3").put_object(
            Bucket=store.bucket(),
            Key="media/bench/floor",
            Body=raw,
            ChecksumSHA256=base64.b64encode(bytes.fromhex(digest)).decode(),
        )

    first = handler(upload_event(), lambda_context())
    assert first["statusCode"] == 201, first
    floor(upload_event())
    samples: dict[str, list[float]] = {"ours": [], "floor": []}
    for _ in range(request["rounds"]):
        for name, call in (("ours", lambda e: handler(e, lambda_context())), ("floor", floor)):
            events = [upload_event() for _ in range(request["per_round"])]
            started = time.process_time()
            for event in events:
                call(event)
            samples[name].append((time.process_time() - started) / len(events) * 1000)
    event = upload_event()
    tracemalloc.start()
    answer = handler(event, lambda_context())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert answer["statusCode"] == 201, answer
    return {
        "median_ms": {name: round(median(values), 2) for name, values in samples.items()},
        "peak_bytes": peak,
        "file_bytes": FILE_BYTES,
        "route": DOCUMENT_UPLOAD,
    }


if __name__ == "__main__":
    child_main(_measure)
