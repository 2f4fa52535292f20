"""The resolver every function is built on: scopes, validation, problem+json, request ids."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from eckospace.errors import LimitReached
from eckospace.http.auth import requires
from eckospace.http.params import Header, Path, Query
from eckospace.http.resolver import entrypoint, make_resolver
from tests.support.lambda_proxy import REQUEST_ID, invoke


class NewNote(BaseModel):
    text: str = Field(min_length=1, max_length=10)
    tags: list[str] = []
    priority: int = 0
    pinned: bool = False


app = make_resolver()


@app.get("/notes/<note_id>", **requires("notes:read"))
def read_note(
    note_id: Annotated[int, Path(ge=1)],
    verbose: Annotated[bool, Query()] = False,
    tag: Annotated[list[str] | None, Query()] = None,
    trace: Annotated[str | None, Header(alias="x-trace")] = None,
) -> dict[str, Any]:
    return {"id": note_id, "verbose": verbose, "tag": tag, "trace": trace}


@app.post("/notes", **requires("notes:write"))
def create_note(note: NewNote) -> dict[str, Any]:
    return {"text": note.text, "tags": note.tags, "priority": note.priority, "pinned": note.pinned}


@app.get("/boom", **requires())
def boom() -> dict[str, Any]:
    raise RuntimeError("internal detail")


@app.get("/limited", **requires())
def limited() -> dict[str, Any]:
    raise LimitReached("Your daily allowance is used up.", retry_after=90, daily_limit=5)


handler = entrypoint(app)


def call(
    method: str,
    path: str,
    *,
    scopes: str = "notes:read notes:write",
    authorizer: bool = True,
    token_use: str = "user",
    **request: Any,
) -> tuple[int, Any, Any]:
    context = {"sub": "u1", "scope": scopes, "token_use": token_use} if authorizer else None
    answer = invoke(handler, method, path, authorizer=context, **request)
    return answer.status, answer.body, answer.headers


def test_path_query_and_header_inputs_are_validated_and_converted():
    status, body, headers = call(
        "GET", "/notes/7", query={"verbose": ["true"], "tag": ["a", "b"]}, headers={"X-Trace": "t-1"}
    )
    assert status == 200 and body == {"id": 7, "verbose": True, "tag": ["a", "b"], "trace": "t-1"}
    assert headers["X-Request-Id"] == REQUEST_ID


@pytest.mark.parametrize(
    ("path", "query", "where", "name"),
    [
        ("/notes/0", None, "path", "note_id"),
        ("/notes/abc", None, "path", "note_id"),
        ("/notes/3", {"verbose": ["maybe"]}, "query", "verbose"),
    ],
)
def test_bad_inputs_are_400_problems_naming_the_field(path, query, where, name):
    status, body, headers = call("GET", path, query=query)
    assert status == 400 and headers["Content-Type"] == "application/problem+json"
    assert body["errors"][0]["in"] == where and body["errors"][0]["name"] == name
    assert body["request_id"] == REQUEST_ID


def test_json_bodies_are_validated():
    assert call("POST", "/notes", body='{"text": "hi", "tags": ["x"]}')[:2] == (
        200,
        {"text": "hi", "tags": ["x"], "priority": 0, "pinned": False},
    )
    status, body, _ = call("POST", "/notes", body='{"text": ""}')
    assert status == 400 and body["errors"][0] == {"in": "body", "name": "text", "detail": body["errors"][0]["detail"]}
    status, body, _ = call("POST", "/notes", body='{"text": "hi"')
    assert status == 400 and body["detail"] == "The request body is not valid JSON."
    status, body, _ = call("POST", "/notes", body=None)
    assert status == 400


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ('{"text": "hi", "priority": true}', "priority"),  # JSON's types, as the document states them
        ('{"text": "hi", "priority": "5"}', "priority"),
        ('{"text": "hi", "pinned": 1}', "pinned"),
        ('{"text": "hi", "pinned": "true"}', "pinned"),
        ('{"text": 7}', "text"),
    ],
)
def test_json_bodies_keep_their_types(body, name):
    status, problem, _ = call("POST", "/notes", body=body)
    assert status == 400 and problem["errors"][0]["in"] == "body" and problem["errors"][0]["name"] == name
    assert call("POST", "/notes", body='{"text": "hi", "priority": 5, "pinned": true}')[:2] == (
        200,
        {"text": "hi", "tags": [], "priority": 5, "pinned": True},
    )
    assert call("POST", "/notes", body='{"text": "hi", "priority": 5.0}')[:2] == (  # an integer, to JSON Schema
        200,
        {"text": "hi", "tags": [], "priority": 5, "pinned": False},
    )
    assert call("POST", "/notes", body='{"text": "hi", "priority": 5.5}')[0] == 400


def test_scopes_are_checked_before_inputs_are_read():
    status, body, headers = call("GET", "/notes/0", scopes="notes:write")
    assert status == 403 and body["required_scopes"] == ["notes:read"]
    assert 'error="insufficient_scope"' in headers["WWW-Authenticate"]


def test_no_authorizer_context_fails_closed():
    assert call("GET", "/notes/1", authorizer=False)[0] == 401


def test_faults_are_500_problems_without_internals():
    status, body, _ = call("GET", "/boom")
    assert status == 500 and "internal detail" not in json.dumps(body) and body["request_id"] == REQUEST_ID


def test_domain_errors_a_route_raises_are_answered_as_their_problems():
    status, body, headers = call("GET", "/limited")
    assert status == 429 and headers["Retry-After"] == "90" and headers["Content-Type"] == "application/problem+json"
    assert list(body.items()) == [
        ("type", "urn:eckospace:problem:rate-limited"),
        ("title", "Too Many Requests"),
        ("status", 429),
        ("detail", "Your daily allowance is used up."),
        ("instance", "/limited"),
        ("request_id", REQUEST_ID),
        ("daily_limit", 5),
    ]


def test_unknown_routes_are_404_problems():
    status, body, headers = call("GET", "/nothing")
    assert status == 404 and body["type"] == "urn:eckospace:problem:not-found"
    assert headers["X-Request-Id"] == REQUEST_ID


def test_openapi_keeps_the_declared_inputs_and_scopes():
    from eckolocal.openapi import _security_schemes

    schema = app.get_openapi_schema(security_schemes=_security_schemes()).model_dump(by_alias=True, exclude_none=True)
    operation = schema["paths"]["/notes/{note_id}"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"note_id", "verbose", "tag", "x-trace"}
    assert operation["security"] == [{"bearerAuth": ["notes:read"], "apiKey": []}]
    assert "requestBody" in schema["paths"]["/notes"]["post"]


@app.get("/search", **requires("notes:read"))
def search(
    q: Annotated[str, Query(min_length=2, max_length=5, pattern="^[a-z]+$")],
    lang: Annotated[str | None, Query(alias="language")] = None,
) -> dict[str, Any]:
    return {"q": q, "lang": lang}


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ({"q": ["abc"], "language": ["fr"]}, 200, None),
        ({}, 400, "Field required"),
        ({"q": ["a"]}, 400, "String should have at least 2 characters"),
        ({"q": ["abcdef"]}, 400, "String should have at most 5 characters"),
        ({"q": ["ABC"]}, 400, "String should match pattern '^[a-z]+$'"),
    ],
)
def test_text_only_routes_are_checked_without_pydantic(query, status, detail):
    code, body, _ = call("GET", "/search", query=query)
    assert code == status
    if detail:
        assert body["errors"] == [{"in": "query", "name": "q", "detail": detail}]
    else:
        assert body == {"q": "abc", "lang": "fr"}


@app.get("/me/notes", **requires("notes:read", tokens=("user",)))
def my_notes() -> dict[str, Any]:
    return {"mine": True}


def test_routes_say_which_kinds_of_token_they_take():
    assert call("GET", "/me/notes", token_use="user")[0] == 200
    status, body, _ = call("GET", "/me/notes", token_use="client")
    assert status == 403 and "does not accept client tokens" in body["detail"]
    assert call("GET", "/notes/1", token_use="client")[0] == 200  # both kinds by default
    with pytest.raises(ValueError):
        requires("notes:read", tokens=("robot",))


def test_a_500_is_counted_for_the_rollback_alarm_and_nothing_else_is(capsys, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "eckospace-dev-NotesRead")
    assert call("GET", "/boom")[0] == 500
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert len(metrics) == 1 and metrics[0]["Faults"] == 1
    assert metrics[0]["FunctionName"] == "eckospace-dev-NotesRead"
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "EckoSpace"
    assert call("GET", "/notes/0")[0] == 400 and call("GET", "/nowhere")[0] == 404
    assert '"_aws"' not in capsys.readouterr().out
