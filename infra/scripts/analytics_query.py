"""Ad-hoc SQL over the raw analytics events, with DuckDB, as Athena runs it over the Glue table:

  analytics_query.py "SELECT type, count(DISTINCT event_key) AS events FROM events GROUP BY type"
  analytics_query.py --env prod --since 2026-12-01 "SELECT ..."

Copies the events bucket's files from `--since` (default: the last 7 days) into
`.eckospace/analytics-events/` (each file once: a file's name is a digest of its events) and runs
the query over them as the table `events`, with the `date` and `hour` partitions as columns. It uses
the local stack's emulator when that is running, otherwise the AWS account of the environment.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta

from _backend import ROOT, bucket_name, use_local_stack_if_running

FILES = ROOT / ".eckospace" / "analytics-events"


def copy_events(bucket: str, since: date) -> int:
    from eckospace import aws

    s3, copied = aws.client("s3"), 0
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="events/", StartAfter=f"events/date={since - timedelta(days=1)}/~"
    )
    for page in pages:
        for item in page.get("Contents", []):
            local = FILES / item["Key"]
            if not local.exists():
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_bytes(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
                copied += 1
    return copied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sql", help="a query over the table `events`")
    parser.add_argument("--env", default="dev")
    parser.add_argument("--since", type=date.fromisoformat, default=datetime.now(UTC).date() - timedelta(days=7))
    args = parser.parse_args()
    import duckdb

    local = use_local_stack_if_running()
    copied = copy_events(bucket_name("AnalyticsEventsBucket", args.env, local=local), args.since)
    print(f"{copied} new file(s) in {FILES.relative_to(ROOT)}")
    if not any(FILES.glob("events/*/*/*.json.gz")):
        print("no events yet")
        return
    connection = duckdb.connect()
    files = f"{FILES}/events/*/*/*.json.gz"
    connection.execute(f"CREATE VIEW events AS SELECT * FROM read_json('{files}', hive_partitioning = true)")
    result = connection.sql(args.sql)
    print(" | ".join(result.columns))
    for row in result.fetchall():
        print(" | ".join(str(value) for value in row))


if __name__ == "__main__":
    main()
