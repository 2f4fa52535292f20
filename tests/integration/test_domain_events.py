from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from eckospace import aws
from eckospace.events import TOPIC_ARN, DomainEvent, publish, publish_all, stable_event_id


@pytest.fixture
def queues(backend, monkeypatch):
    """The topic set as publishers have it, and the consumers' queues (webhooks, notifications)."""
    template = backend["template"]
    monkeypatch.setenv(TOPIC_ARN.variable, template.ref("DomainEventsTopic"))
    aws.reset_clients()
    return {"webhooks": template.ref("WebhookEventsQueue"), "notifications": template.ref("NotificationEventsQueue")}


def _received(queue_url: str, *event_ids: str, waits: int = 20) -> dict[str, dict]:
    """The messages carrying `event_ids`, by id, as far as they came (the queues are shared: other
    tests publish to them too)."""
    sqs, found = aws.client("sqs"), {}
    for _ in range(waits):
        for message in sqs.receive_message(
            QueueUrl=queue_url, MessageAttributeNames=["All"], MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            if (event_id := json.loads(message["Body"])["id"]) in event_ids:
                found[event_id] = message
        if len(found) == len(event_ids):
            break
    return found


def test_published_events_reach_each_consumer_with_their_envelope(queues):
    event_id = publish(DomainEvent(type="wallet.credited", data={"amount": 500, "currency": "eur"}, subject="user-1"))
    for queue in queues.values():
        message = _received(queue, event_id)[event_id]
        envelope = json.loads(message["Body"])  # raw delivery: the envelope itself, no SNS wrapper
        assert envelope["id"] == event_id and envelope["type"] == "wallet.credited"
        assert envelope["data"] == {"amount": 500, "currency": "eur"} and envelope["subject"] == "user-1"
        assert message["MessageAttributes"]["event_type"]["StringValue"] == "wallet.credited"


def test_each_queue_gets_only_the_types_its_consumer_uses(queues):
    [reported, resolved, message] = publish_all(
        [
            DomainEvent(type="post.reported", data={"post_id": "pst_x"}),
            DomainEvent(type="report.resolved", data={"report_id": "rpt_x"}, id=stable_event_id("report.resolved:x")),
            DomainEvent(type="chat.message_created", data={"conversation_id": "cnv_x", "preview": "private"}),
        ]
    )
    assert resolved == stable_event_id("report.resolved:x")
    # Integrations subscribe to reports, never to people's messages
    assert set(_received(queues["webhooks"], reported, resolved, message, waits=3)) == {reported}
    assert set(_received(queues["notifications"], reported, resolved, message, waits=3)) == {resolved, message}


def test_a_failed_publish_is_raised_not_swallowed(queues):
    with Stubber(aws.client("sns")) as stubber:
        stubber.add_client_error("publish", service_error_code="NotFound")
        with pytest.raises(Exception, match="NotFound"):
            publish(DomainEvent(type="payment.failed", data={}))
