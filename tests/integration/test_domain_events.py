from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from eckospace import aws
from eckospace.events import QUEUE_URL_SETTING, DomainEvent, publish


@pytest.fixture
def queue_url(backend, monkeypatch):
    url = backend["template"].ref("DomainEventsQueue")
    monkeypatch.setenv(QUEUE_URL_SETTING, url)
    aws.reset_clients()
    return url


def test_published_events_arrive_with_their_envelope(queue_url):
    event_id = publish(DomainEvent(type="wallet.credited", data={"amount": 500, "currency": "eur"}, subject="user-1"))
    messages = aws.client("sqs").receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"],
                                                  WaitTimeSeconds=1)["Messages"]
    envelope = json.loads(messages[0]["Body"])
    assert envelope["id"] == event_id and envelope["type"] == "wallet.credited"
    assert envelope["data"] == {"amount": 500, "currency": "eur"} and envelope["subject"] == "user-1"
    assert messages[0]["MessageAttributes"]["event_type"]["StringValue"] == "wallet.credited"


def test_a_failed_send_is_raised_not_swallowed(queue_url):
    with Stubber(aws.client("sqs")) as stubber:
        stubber.add_client_error("send_message", service_error_code="AWS.SimpleQueueService.NonExistentQueue")
        with pytest.raises(Exception, match="NonExistentQueue"):
            publish(DomainEvent(type="payment.failed", data={}))
