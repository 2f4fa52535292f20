from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from eckospace import aws
from eckospace.events import QUEUE_URL, DomainEvent, publish


@pytest.fixture
def queue_url(backend, monkeypatch):
    url = backend["template"].ref("DomainEventsQueue")
    monkeypatch.setenv(QUEUE_URL.variable, url)
    aws.reset_clients()
    return url


def _received(queue_url: str, event_id: str) -> dict:
    """The message carrying `event_id` (the queue is shared: other tests publish to it too)."""
    sqs = aws.client("sqs")
    for _ in range(20):
        for message in sqs.receive_message(
            QueueUrl=queue_url, MessageAttributeNames=["All"], MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            if json.loads(message["Body"])["id"] == event_id:
                return message
    raise AssertionError(f"{event_id} never arrived")


def test_published_events_arrive_with_their_envelope(queue_url):
    event_id = publish(DomainEvent(type="wallet.credited", data={"amount": 500, "currency": "eur"}, subject="user-1"))
    message = _received(queue_url, event_id)
    envelope = json.loads(message["Body"])
    assert envelope["id"] == event_id and envelope["type"] == "wallet.credited"
    assert envelope["data"] == {"amount": 500, "currency": "eur"} and envelope["subject"] == "user-1"
    assert message["MessageAttributes"]["event_type"]["StringValue"] == "wallet.credited"


def test_a_failed_send_is_raised_not_swallowed(queue_url):
    with Stubber(aws.client("sqs")) as stubber:
        stubber.add_client_error("send_message", service_error_code="AWS.SimpleQueueService.NonExistentQueue")
        with pytest.raises(Exception, match="NonExistentQueue"):
            publish(DomainEvent(type="payment.failed", data={}))
