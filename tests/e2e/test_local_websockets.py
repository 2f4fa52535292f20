"""The local stack's WebSocket API, @connections API and Lambda Invoke API, on a small fixture
template (tests/fixtures/realtime), driven over loopback by a real WebSocket client and real
botocore clients: faithful CONNECT, MESSAGE and DISCONNECT events, accepted and refused upgrades,
route selection, two-way routes, API Gateway's limits, and the realtime module switched off."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support.local_stack import RunningStack, start_stack

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "realtime" / "template.yaml"
KEY = "fixture-key"
PUSHER_QUERY = "protocol=7&client=js&version=8.6.0&flash=false"
RECORDS_TABLE = "eckospace-local-RealtimeModule-RecordsTable"  # what the $disconnect function saw


@pytest.fixture(scope="module")
def ws_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("realtime-stack"), template=FIXTURE)
    yield running
    assert running.stop() == 0, running.log()[-3000:]


def ws_url(stack: RunningStack, path: str) -> str:
    return f"ws://127.0.0.1:{stack.port}{path}"


def front_door(stack: RunningStack, service: str, path: str = "") -> Any:
    """A botocore client of an AWS API the local stack itself serves on its port."""
    return boto3.client(
        service,
        endpoint_url=f"http://127.0.0.1:{stack.port}{path}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def connections_api(stack: RunningStack) -> Any:
    return front_door(stack, "apigatewaymanagementapi", "/live")


def lambda_api(stack: RunningStack) -> Any:
    return front_door(stack, "lambda")


async def welcomed(ws: ClientConnection) -> dict[str, Any]:
    """The welcome the connect function asked for, asynchronously, through @connections."""
    return json.loads(await asyncio.wait_for(ws.recv(), 15))


async def ask(ws: ClientConnection, message: str) -> dict[str, Any]:
    await ws.send(message)
    return json.loads(await asyncio.wait_for(ws.recv(), 15))


def disconnect_record(stack: RunningStack, connection_id: str, timeout: float = 15.0) -> dict[str, Any]:
    """What $disconnect recorded for a connection, once it has (a moment later, to see any repeat)."""
    dynamodb, key = stack.aws("dynamodb"), {"id": {"S": connection_id}}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "Item" in dynamodb.get_item(TableName=RECORDS_TABLE, Key=key):
            time.sleep(0.3)
            item = dynamodb.get_item(TableName=RECORDS_TABLE, Key=key)["Item"]
            return {"calls": int(item["calls"]["N"]), "code": int(item["code"]["N"]), "event": item["event"]["S"]}
        time.sleep(0.1)
    raise AssertionError(f"$disconnect never ran for {connection_id}")


def test_connect_events_are_faithful_and_an_accepted_connection_can_be_sent_to(ws_stack):
    async def scenario() -> dict[str, Any]:
        async with connect(ws_url(ws_stack, f"/app/{KEY}?{PUSHER_QUERY}"), user_agent_header="tests/1.0") as ws:
            return await welcomed(ws)

    welcome = asyncio.run(scenario())
    event = welcome["connect_event"]
    parsed = APIGatewayWebSocketConnectEventModel.model_validate(event)
    context = parsed.request_context
    assert context.connection_id == welcome["welcome"] and context.stage == "live"
    assert len(context.connection_id) == 16 and context.connection_id.endswith("=")
    assert context.request_id == context.extended_request_id and context.api_id
    assert context.identity.user_agent == "tests/1.0" and str(context.identity.source_ip) == "127.0.0.1/32"
    assert event["queryStringParameters"] == {
        "protocol": "7",
        "client": "js",
        "version": "8.6.0",
        "flash": "false",
        "app_key": KEY,
    }
    assert event["multiValueQueryStringParameters"]["app_key"] == [KEY]
    assert parsed.headers["user-agent"] == "tests/1.0" and parsed.multi_value_headers["sec-websocket-version"] == ["13"]
    assert parsed.is_base64_encoded is False
    assert welcome["connection"]["identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "tests/1.0"}


def test_the_stage_url_serves_the_same_api_without_an_app_key(ws_stack):
    async def scenario() -> dict[str, Any]:
        async with connect(ws_url(ws_stack, "/live")) as ws:
            return await welcomed(ws)

    event = asyncio.run(scenario())["connect_event"]
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None


def test_connect_refuses_with_the_functions_status_and_500_when_it_fails(ws_stack):
    async def status_of(path: str) -> int:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws_url(ws_stack, path)):
                pass
        return refused.value.response.status_code

    async def scenario() -> list[int]:
        return [await status_of(path) for path in (f"/app/{KEY}?refuse=401", f"/app/{KEY}?crash=1", "/elsewhere")]

    assert asyncio.run(scenario()) == [401, 500, 403]


def test_a_connection_does_not_exist_for_connections_until_it_is_accepted(ws_stack):
    async def scenario() -> str | None:
        async with connect(ws_url(ws_stack, f"/app/{KEY}?probe=1")) as ws:
            return ws.response.headers.get("X-Connection-Before-Accept")

    assert asyncio.run(scenario()) == "gone"


def test_messages_are_routed_by_the_selection_expression_and_two_way_routes_answer(ws_stack):
    async def scenario() -> list[Any]:
        async with connect(ws_url(ws_stack, f"/app/{KEY}")) as ws:
            await welcomed(ws)
            answers = [
                await ask(ws, json.dumps({"event": "echo", "data": 1})),
                await ask(ws, "not json"),
                await ask(ws, json.dumps({"event": "nobody"})),
            ]
            await ws.send(json.dumps({"event": "quiet"}))  # a one-way route: its answer is not sent
            answers.append(await ask(ws, json.dumps({"event": "echo", "after": "quiet"})))
            answers.append(await ask(ws, json.dumps({"event": "crash"})))
            return answers

    echo, not_json, unmatched, after_quiet, crashed = asyncio.run(scenario())
    assert [echo["route"], not_json["route"], unmatched["route"]] == ["echo", "$default", "$default"]
    parsed = APIGatewayWebSocketMessageEventModel.model_validate(echo["event"])
    assert parsed.request_context.event_type == "MESSAGE" and parsed.request_context.message_id
    assert json.loads(parsed.body) == {"event": "echo", "data": 1} and parsed.is_base64_encoded is False
    assert "headers" not in echo["event"]
    assert json.loads(after_quiet["event"]["body"]) == {"event": "echo", "after": "quiet"}
    assert crashed["message"] == "Internal server error"
    assert crashed["connectionId"] == parsed.request_context.connection_id and crashed["requestId"]


def test_the_connections_api_sends_describes_and_deletes(ws_stack):
    api = connections_api(ws_stack)

    async def scenario() -> tuple[str, list[str], Any]:
        async with connect(ws_url(ws_stack, f"/app/{KEY}"), user_agent_header="tests/2.0") as ws:
            connection_id = (await welcomed(ws))["welcome"]
            for n in range(10):
                await asyncio.to_thread(api.post_to_connection, ConnectionId=connection_id, Data=f"post {n}".encode())
            received = [await asyncio.wait_for(ws.recv(), 15) for _ in range(10)]
            described = await asyncio.to_thread(api.get_connection, ConnectionId=connection_id)
            await asyncio.to_thread(api.delete_connection, ConnectionId=connection_id)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 15)
            return connection_id, received, (described, ws.close_code)

    connection_id, received, (described, close_code) = asyncio.run(scenario())
    assert received == [f"post {n}" for n in range(10)]  # in the order posted
    assert described["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "tests/2.0"}
    assert described["LastActiveAt"] >= described["ConnectedAt"]
    assert close_code == 1000
    with pytest.raises(api.exceptions.GoneException):
        api.post_to_connection(ConnectionId=connection_id, Data=b"too late")
    with pytest.raises(api.exceptions.GoneException):
        api.get_connection(ConnectionId="AAAAAAAAAAAAAAA=")
    record = disconnect_record(ws_stack, connection_id)
    assert record["calls"] == 1 and record["code"] == 1000
    parsed = APIGatewayWebSocketDisconnectEventModel.model_validate(json.loads(record["event"]))
    assert parsed.request_context.disconnect_reason == "Connection Closed Normally"
    assert parsed.headers["user-agent"] == "tests/2.0"


def test_the_connections_api_refuses_oversized_data_and_unsigned_calls(ws_stack):
    api = connections_api(ws_stack)

    async def scenario() -> None:
        async with connect(ws_url(ws_stack, f"/app/{KEY}")) as ws:
            connection_id = (await welcomed(ws))["welcome"]
            too_large = b"x" * (128 * 1024 + 1)
            with pytest.raises(api.exceptions.PayloadTooLargeException):
                await asyncio.to_thread(api.post_to_connection, ConnectionId=connection_id, Data=too_large)
            unsigned = await asyncio.to_thread(
                requests.post, f"http://127.0.0.1:{ws_stack.port}/live/@connections/{connection_id}", data=b"hi"
            )
            assert unsigned.status_code == 403 and unsigned.headers["x-amzn-ErrorType"] == "ForbiddenException"
            await asyncio.to_thread(api.post_to_connection, ConnectionId=connection_id, Data=b"x" * (128 * 1024))
            assert len(await asyncio.wait_for(ws.recv(), 15)) == 128 * 1024

    asyncio.run(scenario())


def test_disconnect_runs_once_with_the_clients_close_code(ws_stack):
    async def scenario() -> str:
        async with connect(ws_url(ws_stack, f"/app/{KEY}")) as ws:
            connection_id = (await welcomed(ws))["welcome"]
            await ws.close(4000, "bye")
            return connection_id

    connection_id = asyncio.run(scenario())
    record = disconnect_record(ws_stack, connection_id)
    assert record["calls"] == 1 and record["code"] == 4000
    assert json.loads(record["event"])["requestContext"]["disconnectReason"] == "bye"
    with pytest.raises(connections_api(ws_stack).exceptions.GoneException):
        connections_api(ws_stack).get_connection(ConnectionId=connection_id)


def test_frames_over_32_kb_and_messages_over_128_kb_close_with_1009(ws_stack):
    async def close_code_after(message: str | list[str]) -> int | None:
        async with connect(ws_url(ws_stack, f"/app/{KEY}"), max_size=None) as ws:
            connection_id = (await welcomed(ws))["welcome"]
            await ws.send(message)
            with pytest.raises(ConnectionClosed):
                while True:  # what may come first is not the point
                    await asyncio.wait_for(ws.recv(), 15)
            assert disconnect_record(ws_stack, connection_id)["code"] == 1009
            return ws.close_code

    async def fragmented_echo() -> dict[str, Any]:
        """64 KB in frames of 16 KB: within both limits."""
        async with connect(ws_url(ws_stack, f"/app/{KEY}"), max_size=None) as ws:
            await welcomed(ws)
            body = json.dumps({"event": "echo", "padding": "p" * 64 * 1024})
            await ws.send([body[i : i + 16 * 1024] for i in range(0, len(body), 16 * 1024)])
            return json.loads(await asyncio.wait_for(ws.recv(), 15))

    async def scenario() -> tuple[int | None, int | None, dict[str, Any]]:
        one_big_frame = await close_code_after("f" * (32 * 1024 + 1))
        long_message = await close_code_after(["m" * 16 * 1024] * 9)  # 144 KB in small frames
        return one_big_frame, long_message, await fragmented_echo()

    one_big_frame, long_message, echoed = asyncio.run(scenario())
    assert one_big_frame == 1009 and long_message == 1009
    assert echoed["route"] == "echo"


def test_a_binary_frame_closes_the_connection_with_1003(ws_stack):
    async def scenario() -> int | None:
        async with connect(ws_url(ws_stack, f"/app/{KEY}")) as ws:
            await welcomed(ws)
            await ws.send(b"\x00\x01")
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 15)
            return ws.close_code

    assert asyncio.run(scenario()) == 1003


def test_the_lambda_api_invokes_functions_by_name_alias_or_arn(ws_stack):
    api = lambda_api(ws_stack)
    answer = api.invoke(FunctionName="eckospace-test-WsEcho", Payload=json.dumps({"requestContext": {"routeKey": "x"}}))
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert json.loads(json.loads(answer["Payload"].read())["body"])["route"] == "x"
    arn = "arn:aws:lambda:us-east-1:123456789012:function:eckospace-test-WsEcho:live"
    by_arn = api.invoke(FunctionName=arn, Payload=json.dumps({"requestContext": {"routeKey": "y"}}))
    assert json.loads(json.loads(by_arn["Payload"].read())["body"])["route"] == "y"
    failed = api.invoke(FunctionName="eckospace-test-WsCrash:live", Payload=b"{}")
    assert failed["StatusCode"] == 200 and failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorType"] == "RuntimeError"
    with pytest.raises(api.exceptions.ResourceNotFoundException):
        api.invoke(FunctionName="eckospace-test-Nobody", Payload=b"{}")


def test_the_lambda_api_runs_event_invocations_in_the_background(ws_stack):
    event = {"requestContext": {"connectionId": "invoked-async", "disconnectStatusCode": 1000, "disconnectReason": ""}}
    started = time.monotonic()
    answer = lambda_api(ws_stack).invoke(
        FunctionName="eckospace-test-WsDisconnect:live", InvocationType="Event", Payload=json.dumps(event)
    )
    assert answer["StatusCode"] == 202 and time.monotonic() - started < 2
    assert disconnect_record(ws_stack, "invoked-async")["calls"] == 1


def test_credentials_describe_the_realtime_app(ws_stack):
    realtime = ws_stack.credentials["realtime"]
    secrets = json.loads(
        ws_stack.aws("secretsmanager").get_secret_value(SecretId="fixture/test/realtime-app-secrets")["SecretString"]
    )
    base = f"127.0.0.1:{ws_stack.port}"
    assert realtime == {
        "app_id": "4242",
        "key": KEY,
        "secret": secrets[secrets["active"]],
        "ws_host": "127.0.0.1",
        "ws_port": ws_stack.port,
        "ws_url": f"ws://{base}/app/{KEY}",
        "auth_endpoint": f"http://{base}/broadcasting/auth",
        "events_url": f"http://{base}/apps/4242/events",
        "connections_url": f"http://{base}/live",
    }
    assert f"realtime          ws://{base}/app/{KEY}" in ws_stack.log()  # the banner's line


def test_idle_and_old_connections_are_closed_as_api_gateway_closes_them(tmp_path):
    stack = start_stack(
        tmp_path / "limits", template=FIXTURE, env={"ECKO_WS_IDLE_SECONDS": "2", "ECKO_WS_MAX_SECONDS": "6"}
    )

    async def idle() -> tuple[int | None, float, str]:
        async with connect(ws_url(stack, f"/app/{KEY}")) as ws:
            connection_id = (await welcomed(ws))["welcome"]
            started = time.monotonic()
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 15)
            return ws.close_code, time.monotonic() - started, connection_id

    async def busy() -> tuple[int | None, float]:
        """Active every 0.3 s: only the maximum duration (6 s) ends it."""
        async with connect(ws_url(stack, f"/app/{KEY}")) as ws:
            started = time.monotonic()
            await welcomed(ws)
            with pytest.raises(ConnectionClosed):
                while True:
                    await ask(ws, json.dumps({"event": "echo"}))
                    await asyncio.sleep(0.3)
            return ws.close_code, time.monotonic() - started

    async def warm() -> None:
        """One connection first, so that the measured ones are not welcomed by sandboxes still starting
        (a cold start on a loaded machine can outlast the 2 s idle limit before the welcome arrives)."""
        async with connect(ws_url(stack, f"/app/{KEY}")) as ws:
            with contextlib.suppress(ConnectionClosed):
                await welcomed(ws)

    async def both() -> tuple[Any, Any]:
        await warm()
        return await asyncio.gather(idle(), busy())

    try:
        (idle_code, idle_for, connection_id), (busy_code, busy_for) = asyncio.run(both())
        record = disconnect_record(stack, connection_id)
    finally:
        stack.stop()
    # Limits leave room for a slow first welcome on a loaded machine: the idle one goes first, the busy one
    # outlives the idle limit and ends at the maximum.
    assert idle_code == 1001 and idle_for < 4
    assert record["code"] == 1001 and json.loads(record["event"])["requestContext"]["disconnectReason"] == "Going away"
    assert busy_code == 1001 and 4.5 < busy_for < 10


def test_switched_off_the_realtime_module_serves_no_websocket(tmp_path):
    stack = start_stack(tmp_path / "off", template=FIXTURE, overrides={"EnableRealtime": "false"})

    async def scenario() -> int:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws_url(stack, f"/app/{KEY}")):
                pass
        return refused.value.response.status_code

    try:
        assert asyncio.run(scenario()) == 403
        assert stack.credentials["realtime"] is None
        with pytest.raises(lambda_api(stack).exceptions.ResourceNotFoundException):
            lambda_api(stack).invoke(FunctionName="eckospace-test-WsEcho", Payload=b"{}")
    finally:
        stack.stop()
    assert "realtime          off (EnableRealtime=false)" in stack.log()
