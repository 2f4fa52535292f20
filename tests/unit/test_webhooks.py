"""Outgoing webhooks without I/O: signatures checked by the independent `standardwebhooks`
library, the address policy, URL forms, the retry schedule and the published catalogue."""

from __future__ import annotations

import base64
import ipaddress
import socket
import time

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from eckospace.webhooks import catalogue, schedule, settings, signing, targets
from eckospace.webhooks.store import Entitlement, Secrets, delivery_id


# ------------------------------------------------------------------------------ signing
def test_a_new_secret_is_whsec_and_32_random_bytes():
    secret = signing.new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert signing.new_secret() != secret


@pytest.mark.parametrize(
    "bad",
    [
        "whsec_" + base64.b64encode(b"x" * 23).decode(),
        "whsec_" + base64.b64encode(b"x" * 65).decode(),
        "secret",
        "whsec_!!!",
    ],
)
def test_secrets_outside_24_to_64_bytes_are_refused(bad):
    with pytest.raises(ValueError):
        signing.secret_key(bad)


def test_signatures_verify_with_standardwebhooks_and_nothing_else_does():
    secret, now = signing.new_secret(), int(time.time())
    body = signing.body("wallet.credited", "evt_1", now, {"amount": 5, "currency": "eur"})
    headers = signing.headers([secret], "dlv_1", now, body)
    assert Webhook(secret).verify(body, headers)["data"] == {"amount": 5, "currency": "eur"}
    for changed_body, changed_headers in [
        (body.replace(b"5", b"6"), headers),
        (body, {**headers, "webhook-id": "dlv_2"}),
        (body, {**headers, "webhook-timestamp": str(now + 1)}),
    ]:
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(changed_body, changed_headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)


def test_a_stale_signature_is_refused_by_the_receiver():
    secret, then = signing.new_secret(), int(time.time()) - 301
    body = signing.body("webhook.test", "evt_1", then, {})
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(body, signing.headers([secret], "dlv_1", then, body))


def test_two_live_secrets_give_two_signatures_each_verifying():
    old, new, now = signing.new_secret(), signing.new_secret(), int(time.time())
    body = signing.body("webhook.test", "evt_1", now, {})
    headers = signing.headers(Secrets(new, old, now + 10).live(now), "dlv_1", now, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
    assert Secrets(new, old, now + 10).live(now + 10) == [new]


def test_the_envelope_is_stable():
    assert (
        signing.body("post.reported", "evt_9", 0, {"post_id": "p"})
        == b'{"type":"post.reported","id":"evt_9","timestamp":"1970-01-01T00:00:00Z","data":{"post_id":"p"}}'
    )


def test_delivery_ids_are_deterministic_and_sort_by_time():
    assert delivery_id("evt_1", "ep_1", 100) == delivery_id("evt_1", "ep_1", 100)
    assert delivery_id("evt_1", "ep_1", 100) != delivery_id("evt_1", "ep_2", 100)
    assert delivery_id("evt_z", "ep_1", 99) < delivery_id("evt_a", "ep_1", 100)


# ------------------------------------------------------------------------------ addresses
@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("8.8.8.8", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("fc00::1", False),
        ("224.0.0.1", False),
        ("ff02::1", False),
        ("0.0.0.0", False),
        ("::", False),
        ("100.64.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.216.34", False),
        ("::ffff:169.254.169.254", False),
        ("2002:7f00:1::", False),
        ("2002:5db8:d822::", True),  # 6to4 wrapping loopback / a public address
        ("64:ff9b::a00:1", False),
        ("64:ff9b::5db8:d822", True),  # NAT64 wrapping 10.0.0.1 / a public address
        ("::127.0.0.1", False),
        ("192.0.2.1", False),
        ("198.18.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
    ],
)
def test_the_address_policy(address, allowed):
    assert (targets.address_problem(ipaddress.ip_address(address)) is None) is allowed


def test_loopback_only_when_the_deployment_allows_it_and_never_through_ipv4_mapping():
    assert targets.address_problem(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert targets.address_problem(ipaddress.ip_address("::ffff:127.0.0.1"), allow_loopback=True)
    assert targets.address_problem(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)


STRICT, DEV = targets.Policy(), targets.Policy(allow_loopback=True)


@pytest.mark.parametrize(
    ("url", "policy", "refused"),
    [
        ("https://hooks.example.com/in", STRICT, None),
        ("https://hooks.example.com:8443/in?x=1", STRICT, None),
        ("http://hooks.example.com/in", STRICT, "plain http"),
        ("https://hooks.example.com:8080/in", STRICT, "port"),
        ("https://user:pw@hooks.example.com/in", STRICT, "credentials"),
        ("ftp://hooks.example.com/in", STRICT, "absolute"),
        ("hooks.example.com/in", STRICT, "absolute"),
        ("https://10.0.0.1/in", STRICT, "private"),
        ("https://[::ffff:127.0.0.1]/in", DEV, "IPv4-mapped"),
        ("http://127.0.0.1:8080/in", STRICT, "plain http"),
        ("http://127.0.0.1:8080/in", DEV, None),
        ("http://localhost:8080/in", DEV, None),
        ("http://10.0.0.1:8080/in", DEV, "plain http"),
    ],
)
def test_url_forms(url, policy, refused):
    if refused is None:
        assert targets.parse(url, policy).host
    else:
        with pytest.raises(targets.TargetRefused, match=refused):
            targets.parse(url, policy)


def dev_policy(monkeypatch, *, refused_loopback_ports: str) -> targets.Policy:
    """The policy a deployment that allows loopback targets reads from its settings."""
    monkeypatch.setenv(settings.ALLOW_LOOPBACK.variable, "true")
    monkeypatch.setenv(settings.ALLOWED_PORTS.variable, "443,8443")
    monkeypatch.setenv(settings.REFUSED_LOOPBACK_PORTS.variable, refused_loopback_ports)
    return targets.Policy.from_settings()


def test_the_local_stacks_own_loopback_ports_stay_refused(monkeypatch):
    policy = dev_policy(monkeypatch, refused_loopback_ports="4566,3000 8443")
    assert policy.refused_loopback_ports == {4566, 3000, 8443}
    for url in (
        "http://127.0.0.1:4566/moto-api/reset",
        "http://localhost:3000/api/posts",
        "http://[::1]:4566/",
        "http://127.0.0.2:4566/",
        "http://api.localhost:3000/",
        "https://localhost:8443/in",
    ):
        with pytest.raises(targets.TargetRefused, match="stack's own services"):
            targets.parse(url, policy)
    assert targets.parse("http://127.0.0.1:9000/hooks", policy).port == 9000
    assert targets.parse("https://hooks.example.com:8443/in", policy).port == 8443  # not loopback: not refused


def test_lambdas_own_runtime_api_port_stays_refused(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")  # Lambda sets it in its sandbox
    policy = dev_policy(monkeypatch, refused_loopback_ports="")
    with pytest.raises(targets.TargetRefused, match="stack's own services"):
        targets.parse("http://127.0.0.1:9001/2018-06-01/runtime/invocation/next", policy)
    assert targets.parse("http://127.0.0.1:9000/hooks", policy).port == 9000


def resolver_to(*addresses: str):
    def resolve(host, port, *args, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    return resolve


def test_every_resolved_address_is_checked():
    target = targets.parse("https://hooks.example.com/in", STRICT)
    assert targets.resolve(target, STRICT, resolver_to("93.184.216.34")) == [ipaddress.ip_address("93.184.216.34")]
    with pytest.raises(targets.TargetRefused, match="10.1.1.1"):
        targets.resolve(target, STRICT, resolver_to("93.184.216.34", "10.1.1.1"))
    with pytest.raises(targets.TargetRefused, match="loopback"):  # a name may not smuggle loopback in
        targets.resolve(targets.parse("https://evil.example.com/in", DEV), DEV, resolver_to("127.0.0.1"))

    def failing(*_a, **_k):
        raise socket.gaierror("no such host")

    with pytest.raises(targets.TargetRefused, match="does not resolve"):
        targets.resolve(target, STRICT, failing)


# ------------------------------------------------------------------------------ entitlement
def integration_item(status="active", scopes=("wallet:read", "moderation:read"), first_party=True) -> dict:
    return {
        "client_id": {"S": "ekc_1"},
        "status": {"S": status},
        "allowed_scopes": {"L": [{"S": s} for s in scopes]},
        "first_party": {"BOOL": first_party},
    }


@pytest.mark.parametrize(
    ("item", "event_type", "refused"),
    [
        (integration_item(), "wallet.credited", None),
        (integration_item(), "webhook.test", None),
        (None, "webhook.test", "no longer exists"),
        (integration_item(status="disabled"), "webhook.test", "disabled"),
        (integration_item(scopes=("moderation:read",)), "wallet.credited", "may no longer hold wallet:read"),
        (integration_item(first_party=False), "wallet.credited", "first-party integrations only"),
        (integration_item(first_party=False), "post.reported", None),
        (integration_item(first_party=False, scopes=()), "webhook.endpoint.disabled", "webhooks:read"),
    ],
)
def test_what_an_integration_may_receive(item, event_type, refused):
    found = Entitlement.from_item("ekc_1", item).refusal_for(event_type)
    assert found is None if refused is None else refused in found


# ------------------------------------------------------------------------------ schedule
def test_the_schedule_is_svix_like_and_ends():
    delays = []
    index = 0
    while (delay := schedule.next_delay(index)) is not None:
        delays.append(delay)
        index += 1
    assert delays == [5, 300, 1800, 7200, 18000, 36000, 36000] and schedule.ATTEMPTS == 8


def test_retry_after_stretches_a_wait_but_is_capped():
    assert schedule.next_delay(0, 120) == 120
    assert schedule.next_delay(0, 2) == 5
    assert schedule.next_delay(0, 10**9) == 36000
    assert schedule.next_delay(7, 60) is None
    assert schedule.retry_after_seconds("30", 0) == 30
    assert schedule.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 60) == 60
    assert schedule.retry_after_seconds("soon", 0) is None and schedule.retry_after_seconds(None, 0) is None
    assert schedule.sqs_delay(10_000, 0) == 900 and schedule.sqs_delay(5, 0) == 5 and schedule.sqs_delay(0, 5) == 0


# ------------------------------------------------------------------------------ catalogue
def test_the_catalogue_names_a_scope_for_everything_but_the_test_event():
    required = {
        "payment.succeeded",
        "payment.failed",
        "wallet.credited",
        "wallet.debited",
        "dispute.opened",
        "moderation.decided",
        "post.reported",
        "webhook.test",
    }
    assert required <= set(catalogue.CATALOGUE)
    assert {e.name: e.scope for e in catalogue.CATALOGUE.values() if e.scope is None} == {"webhook.test": None}
    assert catalogue.CATALOGUE["wallet.debited"].scope == "wallet:read"
    assert catalogue.CATALOGUE["post.reported"].scope == "moderation:read"
    section = catalogue.openapi_webhooks()
    assert set(section) == set(catalogue.CATALOGUE)
    schema = section["wallet.credited"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["type", "id", "timestamp", "data"]


def test_payload_schemas_describe_every_key_and_follow_the_time_convention():
    """Each event's `data` lists every key as required and allows no other; times in it are RFC 3339
    strings under names ending in `_at` (the envelope's `timestamp` follows Standard Webhooks)."""
    from jsonschema import Draft202012Validator

    for entry in catalogue.CATALOGUE.values():
        schema = catalogue.payload_schema(entry)
        data = schema["properties"]["data"]
        assert data["additionalProperties"] is False and sorted(data["required"]) == sorted(data["properties"])
        for name, field in data["properties"].items():
            assert (name.endswith("_at")) == (field.get("format") == "date-time"), (entry.name, name)
            types = [field["type"]] if isinstance(field.get("type"), str) else field.get("type", [])
            assert not ("integer" in types and name.endswith(("_at", "_since", "created", "updated"))), name
        for example in schema["examples"]:
            Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(example)
    disabled = catalogue.CATALOGUE["webhook.endpoint.disabled"]
    assert catalogue.payload_schema(disabled)["examples"][0]["data"]["failing_since_at"].endswith(".000Z")
