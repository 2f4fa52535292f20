"""A DynamoDB table's stream, read as Lambda's event source mapping reads it."""

from __future__ import annotations

from typing import Any

from eckospace import aws


class TableStream:
    """`table`'s stream, from now on."""

    def __init__(self, table: str) -> None:
        self.streams = aws.client("dynamodbstreams")
        self.arn = aws.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self.iterators = {
            shard["ShardId"]: self.streams.get_shard_iterator(
                StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
            )["ShardIterator"]
            for shard in self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        }

    def records(self) -> list[dict[str, Any]]:
        """What was recorded since the last read."""
        found = []
        for shard, iterator in self.iterators.items():
            while True:
                answer = self.streams.get_records(ShardIterator=iterator)
                iterator = self.iterators[shard] = answer["NextShardIterator"]
                found += [record | {"eventSourceARN": self.arn} for record in answer["Records"]]
                if not answer["Records"]:
                    break
        return found
