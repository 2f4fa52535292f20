"""The local WebSocket API and Lambda API, without sockets: what is read from the template, how
messages are routed, and the ASGI app driven with fake workers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from eckolocal.gateway import Request
from eckolocal.lambda_api import LambdaApi
from eckolocal.template import Template
from eckolocal.websocket_api import WebSocketApi, WebSocketGateway, websocket_api
from eckolocal.workers import InvocationError

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "realtime" / "template.yaml"


class FakeWorkers:
    """Answers as the named functions would, recording each invocation."""

    def __init__(self, answer: Any = None) -> None:
        self.answer = answer or (lambda logical_id, event: {"statusCode": 200, "body": event.get("body")})
        self.invoked: list[tuple[str, dict[str, Any]]] = []

    async def invoke(self, logical_id: str, event: dict[str, Any], *, request_id: str | None = None) -> Any:
        self.invoked.append((logical_id, event))
        result = self.answer(logical_id, event)
        return await result if asyncio.iscoroutine(result) else result


def api(routes: dict[str, str], two_way: set[str], expression: str = "$request.body.event") -> WebSocketApi:
    return WebSocketApi("Api", "api-id", "live", expression, routes, frozenset(two_way))


def serving(routes: dict[str, str], two_way: set[str], workers: FakeWorkers) -> WebSocketGateway:
    return WebSocketGateway(api(routes, two_way), workers, idle_seconds=60, max_seconds=60)


def test_the_websocket_api_is_read_from_a_nested_stack_with_its_routes_and_route_responses():
    found = websocket_api(Template(FIXTURE))
    assert found is not None
    assert (found.logical_id, found.stage, found.selection_expression) == ("WsApi", "live", "$request.body.event")
    assert found.routes == {
        "$connect": "WsConnectFunction",
        "$default": "WsEchoFunction",
        "echo": "WsEchoFunction",
        "quiet": "WsEchoFunction",
        "crash": "WsCrashFunction",
        "$disconnect": "WsDisconnectFunction",
    }
    assert found.two_way == {"$default", "echo", "crash"}
    assert websocket_api(Template(FIXTURE, overrides={"EnableRealtime": "false"})) is None


def test_the_stage_refs_its_name_and_the_endpoint_is_the_local_one_once_set():
    template = Template(FIXTURE)
    environment = template.functions()["WsEchoFunction"].environment
    assert environment["WS_STAGE"] == "live"
    assert environment["WS_ENDPOINT"] == "wss://fixture-test-ws.execute-api.us-east-1.amazonaws.com"
    template.set_att("WsApi", "ApiEndpoint", "ws://127.0.0.1:3000")
    assert template.functions()["WsEchoFunction"].environment["WS_ENDPOINT"] == "ws://127.0.0.1:3000"


@pytest.mark.parametrize(
    ("expression", "body", "route"),
    [
        ("$request.body.event", '{"event": "echo"}', "echo"),
        ("$request.body.event", '{"event": "pusher:ping"}', "$default"),  # no such route
        ("$request.body.event", "not json", "$default"),
        ("$request.body.event", '["echo"]', "$default"),
        ("$request.body.event", '{"event": "$connect"}', "$default"),  # not a message route
        ("$request.body.event", '{"event": 7}', "7"),  # stringified, as API Gateway does
        ("${request.body.meta.kind}", '{"meta": {"kind": "echo"}}', "echo"),
        ("$request.body.meta.kind", '{"meta": {}}', "$default"),
    ],
)
def test_messages_are_routed_by_the_selection_expression(expression, body, route):
    routes = {"$connect": "C", "$default": "D", "echo": "E", "7": "S"}
    assert api(routes, set(), expression).route_for(body) == route


def test_without_a_default_route_an_unmatched_message_has_none():
    assert api({"echo": "E"}, {"echo"}).route_for('{"event": "other"}') is None


class Client:
    """One WebSocket connection to the ASGI app: what it receives and what it is sent."""

    def __init__(self, gateway: WebSocketGateway, path: str = "/app/the-key", query: bytes = b"") -> None:
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sent: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        scope = {"type": "websocket", "path": path, "query_string": query, "headers": [(b"host", b"127.0.0.1:3000")]}
        self.inbox.put_nowait({"type": "websocket.connect"})
        self.task = asyncio.create_task(gateway(scope, self.inbox.get, self.sent.put))

    def say(self, text: str) -> None:
        self.inbox.put_nowait({"type": "websocket.receive", "text": text})

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.sent.get(), 5)

    async def leave(self, code: int = 1000) -> None:
        self.inbox.put_nowait({"type": "websocket.disconnect", "code": code, "reason": ""})
        await asyncio.wait_for(self.task, 5)


def test_a_message_no_route_takes_is_forbidden_and_a_connection_lives_until_it_leaves():
    workers = FakeWorkers()
    gateway = serving({"echo": "E", "$disconnect": "X"}, {"echo"}, workers)

    async def scenario() -> None:
        client = Client(gateway)
        assert (await client.next())["type"] == "websocket.accept"
        (connection_id,) = gateway.connections
        client.say('{"event": "nothing"}')
        forbidden = json.loads((await client.next())["text"])
        assert forbidden["message"] == "Forbidden" and forbidden["connectionId"] == connection_id
        await client.leave(4001)
        assert gateway.connections == {}

    asyncio.run(scenario())
    (disconnect,) = workers.invoked
    assert disconnect[0] == "X" and disconnect[1]["requestContext"]["disconnectStatusCode"] == 4001
    assert disconnect[1]["queryStringParameters"] == {"app_key": "the-key"}


def test_messages_of_one_connection_are_handled_concurrently():
    async def answer(logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
        if event["body"] == '{"event": "slow"}':
            await asyncio.sleep(0.3)
        return {"statusCode": 200, "body": event["body"]}

    gateway = serving({"$default": "D"}, {"$default"}, FakeWorkers(answer))

    async def scenario() -> list[str]:
        client = Client(gateway, path="/live")
        await client.next()  # accepted
        client.say('{"event": "slow"}')
        client.say('{"event": "fast"}')
        replies = [(await client.next())["text"], (await client.next())["text"]]
        await client.leave()
        return replies

    assert asyncio.run(scenario()) == ['{"event": "fast"}', '{"event": "slow"}']


def test_a_refused_connect_answers_the_handshake_with_its_status():
    workers = FakeWorkers(lambda logical_id, event: {"statusCode": 401, "headers": {"X-Why": "no"}, "body": "no"})
    gateway = serving({"$connect": "C"}, set(), workers)

    async def scenario() -> list[dict[str, Any]]:
        client = Client(gateway, query=b"protocol=7")
        await asyncio.wait_for(client.task, 5)
        return [await client.next(), await client.next()]

    start, body = asyncio.run(scenario())
    assert start == {"type": "websocket.http.response.start", "status": 401, "headers": [(b"X-Why", b"no")]}
    assert body == {"type": "websocket.http.response.body", "body": b"no"}
    assert gateway.connections == {}
    event = workers.invoked[0][1]
    assert event["queryStringParameters"] == {"protocol": "7", "app_key": "the-key"}


def invoke_request(function: str, body: bytes = b"{}", invocation_type: str | None = None) -> Request:
    headers = [("x-amz-invocation-type", invocation_type)] if invocation_type else []
    return Request("POST", f"/2015-03-31/functions/{function}/invocations", "", headers, body, "127.0.0.1", "rid")


def test_the_lambda_api_finds_functions_by_name_qualified_name_or_arn():
    def answer(logical_id: str, event: dict[str, Any]) -> Any:
        if logical_id == "Crash":
            raise InvocationError({"errorMessage": "boom", "errorType": "RuntimeError"})
        return {"ran": logical_id}

    workers = FakeWorkers(answer)
    lambdas = LambdaApi(workers, {"eckospace-dev-Echo": "Echo", "eckospace-dev-Crash": "Crash"})
    arn = "arn:aws:lambda:us-east-1:123456789012:function:eckospace-dev-Echo:live"

    async def scenario() -> list[Any]:
        answers = [
            await lambdas(invoke_request(name)) for name in ("eckospace-dev-Echo", "eckospace-dev-Echo:live", arn)
        ]
        answers.append(await lambdas(invoke_request("eckospace-dev-Crash")))
        answers.append(await lambdas(invoke_request("eckospace-dev-Nobody")))
        answers.append(await lambdas(invoke_request("eckospace-dev-Echo", b'{"n": 1}', "Event")))
        await asyncio.sleep(0)  # the Event invocation runs in the background
        answers.append(await lambdas(Request("GET", "/elsewhere", "", [], b"", "127.0.0.1", "rid")))
        return answers

    *found, crashed, unknown, queued, elsewhere = asyncio.run(scenario())
    assert [(a.status, json.loads(a.body)) for a in found] == [(200, {"ran": "Echo"})] * 3
    assert crashed.status == 200 and ("X-Amz-Function-Error", "Unhandled") in crashed.headers
    assert unknown.status == 404 and ("x-amzn-ErrorType", "ResourceNotFoundException") in unknown.headers
    assert queued.status == 202 and workers.invoked[-1] == ("Echo", {"n": 1})
    assert elsewhere is None
