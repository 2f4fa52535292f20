"""The in-process invoke helper sends what API Gateway's REST proxy integration sends."""

from __future__ import annotations

import base64

from tests.support.lambda_proxy import Answer, rest_event


def test_the_event_carries_single_and_multi_value_inputs_the_resource_and_the_authorizer():
    event = rest_event(
        "GET",
        "/api/posts/pst_1",
        query={"tag": ["a", "b"], "limit": "2"},
        headers={"If-None-Match": '"e1"'},
        authorizer={"sub": "u1", "scope": "posts:read"},
        resource="/api/posts/{post_id}",
    )
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "limit": ["2"]}
    assert event["queryStringParameters"] == {"tag": "b", "limit": "2"}
    assert event["headers"]["If-None-Match"] == '"e1"' and event["multiValueHeaders"]["If-None-Match"] == ['"e1"']
    assert event["resource"] == event["requestContext"]["resourcePath"] == "/api/posts/{post_id}"
    assert event["pathParameters"] == {"post_id": "pst_1"} and event["requestContext"]["path"] == "/v1/api/posts/pst_1"
    assert event["requestContext"]["authorizer"] == {"sub": "u1", "scope": "posts:read"}


def test_bodies_are_json_text_or_base64():
    as_json = rest_event("POST", "/api/posts", body={"text": "hi"})
    assert as_json["body"] == '{"text": "hi"}' and as_json["headers"]["content-type"] == "application/json"
    as_text = rest_event("POST", "/api/oauth/token", body="grant_type=x", headers={"Content-Type": "text/plain"})
    assert (as_text["body"], as_text["isBase64Encoded"]) == ("grant_type=x", False)
    assert "content-type" not in as_text["headers"]
    binary = rest_event("POST", "/upload", body=b"\x00\xff")
    assert binary["isBase64Encoded"] and base64.b64decode(binary["body"]) == b"\x00\xff"


def test_the_answer_is_read_as_api_gateway_reads_it():
    answer = Answer.of(
        {
            "statusCode": 429,
            "headers": {"Retry-After": "5"},
            "multiValueHeaders": {"Retry-After": ["60"], "Content-Type": ["application/problem+json"]},
            "body": base64.b64encode(b'{"status": 429}').decode(),
            "isBase64Encoded": True,
        }
    )
    assert answer.status == 429 and answer.headers["retry-after"] == "60"  # the multi-value headers win
    assert answer.body == {"status": 429}
    assert Answer.of({"statusCode": 302, "headers": {"Location": "/x"}, "body": ""}).body is None
    assert Answer.of({"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"}).body == "ok"
