"""Pieces of the local stack that decide answers: template evaluation, routing, policies, limits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eckolocal import realtime_page
from eckolocal.gateway import Request, _policy_allows
from eckolocal.pollers import failed_item_ids
from eckolocal.template import Template
from eckolocal.usage import KeyGrant, Plan, RateLimiter, period_end

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "stack" / "template.yaml"


@pytest.fixture(scope="module")
def main_template() -> Template:
    """template.yaml with its defaults, read once: the tests here only look at it."""
    return Template(ROOT / "template.yaml")


def test_conditions_switch_resources_off_and_on():
    assert "ExtraFunction" not in Template(FIXTURE).functions()
    assert "ExtraFunction" in Template(FIXTURE, overrides={"WithExtras": "true"}).functions()


def test_parameters_are_validated():
    with pytest.raises(ValueError):
        Template(FIXTURE, overrides={"WithExtras": "maybe"})
    with pytest.raises(ValueError):
        Template(FIXTURE, overrides={"NoSuchParameter": "1"})


def test_intrinsics_and_environment_merge():
    template = Template(FIXTURE, overrides={"Flavour": "spicy"})
    echo = template.functions()["EchoFunction"]
    assert echo.environment == {"SHARED_SETTING": "from-globals", "ECHO_ONLY": "echo-spicy"}
    assert template.functions()["SlowFunction"].timeout == 1 and echo.timeout == 5
    assert template.functions()["ConsumerFunction"].environment["SEEN_TABLE"] == "eckospace-local-SeenTable"


def test_routes_prefer_literal_paths_and_capture_parameters():
    routes = Template(FIXTURE).routes()
    matched = [r for r in routes if r.match("GET", "/echo/7") is not None]
    assert matched[0].path == "/echo/{id}" and matched[0].match("GET", "/echo/7") == {"id": "7"}
    assert all(r.match("GET", "/echo/7/more") is None for r in routes)


def test_nested_stacks_take_parameters_down_and_give_outputs_up():
    template = Template(FIXTURE, overrides={"Flavour": "spicy"})
    child = template.functions()["ChildEchoFunction"]
    # Globals stay in their own template; the parent's values arrive as the child's parameters.
    assert child.environment == {"ECHO_ONLY": "hello-spicy", "SEEN_TABLE": "eckospace-local-SeenTable"}
    assert child.function_name == "fixture-child-echo"
    assert template.outputs() == {"ChildGreeting": "hello-spicy"}
    assert template.physical_name("ChildEchoFunction") == "fixture-child-echo"


def test_a_nested_stack_follows_its_condition_and_so_do_its_routes():
    plain, extras = Template(FIXTURE), Template(FIXTURE, overrides={"WithExtras": "true"})
    assert list(plain.stacks) == ["ChildStack"] and set(extras.stacks) == {"ChildStack", "ExtraChildStack"}
    assert "ExtraEchoFunction" not in plain.functions() and "ExtraEchoFunction" in extras.functions()
    routes = {route.path: route.function for route in extras.routes()}
    assert routes["/child"] == "ChildEchoFunction" and routes["/extra-child"] == "ExtraEchoFunction"
    assert "/extra-child" not in {route.path for route in plain.routes()}


def test_template_rules_refuse_combinations_that_cannot_work():
    with pytest.raises(ValueError, match="Extras need a flavour"):
        Template(FIXTURE, overrides={"WithExtras": "true", "Flavour": "none"})
    Template(FIXTURE, overrides={"WithExtras": "false", "Flavour": "none"})  # the rule's condition is off
    with pytest.raises(ValueError, match="needs the media module"):
        Template(ROOT / "template.yaml", overrides={"EnableMedia": "false"})


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_loopback_webhook_targets_are_refused_outside_the_dev_environment(environment):
    with pytest.raises(ValueError, match="WebhooksLoopbackOnlyInDev.*local development only"):
        Template(ROOT / "template.yaml", overrides={"Environment": environment, "WebhooksAllowLoopbackTargets": "true"})
    Template(ROOT / "template.yaml", overrides={"Environment": environment, "WebhooksAllowLoopbackTargets": "false"})
    Template(ROOT / "template.yaml", overrides={"Environment": "dev", "WebhooksAllowLoopbackTargets": "true"})


def test_main_template_routes_need_key_and_authorizer(main_template):
    routes = main_template.routes()
    translations = next(r for r in routes if r.path == "/api/translations/app")
    assert translations.api_key_required and translations.authorizer == "BearerAuthorizer"


def _policy(effect: str, resource: str) -> dict:
    return {"policyDocument": {"Statement": [{"Effect": effect, "Resource": resource, "Action": "execute-api:Invoke"}]}}


def test_policy_evaluation():
    arn = "arn:aws:execute-api:us-east-1:1:local/v1/GET/api/x"
    assert _policy_allows(_policy("Allow", "arn:aws:execute-api:us-east-1:1:local/v1/*"), arn)
    assert not _policy_allows(_policy("Allow", "arn:aws:execute-api:us-east-1:1:local/v1/POST/*"), arn)
    both = _policy("Allow", "*")
    both["policyDocument"]["Statement"].append({"Effect": "Deny", "Resource": arn})
    assert not _policy_allows(both, arn)
    assert not _policy_allows({"nonsense": True}, arn)


def test_token_bucket_allows_burst_then_throttles_with_a_wait():
    limiter = RateLimiter()
    grant = KeyGrant("k1", Plan("p", "free", rate=2.0, burst=3, quota=None, period=None))
    assert [limiter.check(grant, now=100.0) for _ in range(3)] == [None, None, None]
    assert limiter.check(grant, now=100.0) == ("THROTTLED", 1)
    assert limiter.check(grant, now=100.6) is None  # refilled 1.2 tokens


def test_quota_counts_per_period():
    limiter = RateLimiter()
    grant = KeyGrant("k2", Plan("p", "partner", rate=None, burst=None, quota=2, period="DAY"))
    assert limiter.check(grant) is None and limiter.check(grant) is None
    verdict = limiter.check(grant)
    assert verdict is not None and verdict[0] == "QUOTA_EXCEEDED" and 1 <= verdict[1] <= 86400


def test_period_ends():
    now = datetime(2026, 2, 11, 15, 30, tzinfo=UTC)  # a Wednesday
    assert period_end("DAY", now) == datetime(2026, 2, 12, tzinfo=UTC)
    assert period_end("WEEK", now) == datetime(2026, 2, 16, tzinfo=UTC)
    assert period_end("MONTH", now) == datetime(2026, 3, 1, tzinfo=UTC)


def test_batch_item_failures():
    batch = {"m1", "m2", "m3"}
    assert failed_item_ids({"batchItemFailures": []}, batch) == set()
    assert failed_item_ids(None, batch) == set()
    assert failed_item_ids({"batchItemFailures": [{"itemIdentifier": "m2"}]}, batch) == {"m2"}
    # An answer naming messages that were not in the batch fails the whole batch, as on AWS.
    assert failed_item_ids({"batchItemFailures": [{"itemIdentifier": "zz"}]}, batch) == batch
    assert failed_item_ids({"batchItemFailures": [{"itemIdentifier": ""}]}, batch) == batch
    assert failed_item_ids({"batchItemFailures": "m1"}, batch) == batch


def test_the_payments_module_can_be_switched_off(main_template):
    enabled, disabled = main_template, Template(ROOT / "template.yaml", overrides={"EnablePayments": "false"})
    assert any(route.path == "/payment/stripe/webhook" for route in enabled.routes())
    assert not any(route.path.startswith("/payment/") for route in disabled.routes())
    gone = {
        "StripeEventsTable",
        "PaymentsQueue",
        "PaymentsDeadLetterQueue",
        "StripeWebhookSecrets",
        "PaymentsModule",
        "PaymentsWorkerFunction",
        "StripeLayer",
    }
    assert gone <= enabled.resources.keys() and not gone & disabled.resources.keys()


@pytest.mark.parametrize(
    ("switches", "module", "path_prefix"),
    [
        (["EnableTranslations"], "TranslationsModule", "/api/translations/"),
        # their reports need posts; jobs and contacts need the marketplace, jobs need contacts
        (
            ["EnablePosts", "EnableChat", "EnableMarketplace", "EnableJobs", "EnableContacts"],
            "PostsModule",
            "/api/posts",
        ),
        (["EnableNotifications"], "NotificationsModule", "/api/notifications"),
        (["EnableMarketplace", "EnableJobs", "EnableContacts"], "MarketplaceModule", "/api/listings"),
        (["EnableJobs"], "JobsModule", "/api/jobs"),
        (["EnableContacts", "EnableJobs"], "ContactsModule", "/api/contacts"),
        (["EnableAnalytics"], "AnalyticsModule", "/api/analytics"),
    ],
)
def test_a_module_switched_off_leaves_no_stack_function_or_route(main_template, switches, module, path_prefix):
    enabled, disabled = main_template, Template(ROOT / "template.yaml", overrides=dict.fromkeys(switches, "false"))
    assert module in enabled.stacks and module not in disabled.stacks
    assert {f.logical_id for f in enabled.functions().values() if f.module != "core"} > {
        f.logical_id for f in disabled.functions().values() if f.module != "core"
    }
    assert any(r.path.startswith(path_prefix) for r in enabled.routes())
    assert not any(r.path.startswith(path_prefix) for r in disabled.routes())


def test_sns_topics_resolve_and_follow_the_notifications_switch(main_template):
    enabled, disabled = main_template, Template(ROOT / "template.yaml", overrides={"EnableNotifications": "false"})
    topic = enabled.ref("DomainEventsTopic")
    assert topic.startswith("arn:aws:sns:") and topic.endswith(":eckospace-dev-domain-events")
    assert enabled.get_att("DomainEventsTopic", "TopicArn") == topic
    assert enabled.get_att("DomainEventsTopic", "TopicName") == "eckospace-dev-domain-events"
    subscriptions = {"WebhookEventsSubscription", "NotificationEventsSubscription"}
    assert set(enabled.of_type("AWS::SNS::Subscription")) == subscriptions
    assert set(disabled.of_type("AWS::SNS::Subscription")) == {"WebhookEventsSubscription"}
    assert enabled.properties("NotificationEventsSubscription")["TopicArn"] == topic
    assert "NotificationsTable" in disabled.resources  # posts write mentions to it whatever the modules


def test_every_main_route_reaches_a_function_of_a_module_stack_by_name(main_template):
    functions = main_template.functions()
    routes = main_template.routes()
    assert len(routes) >= 40
    for route in routes:
        spec = functions[route.function]
        assert spec.function_name == f"eckospace-dev-{route.function.removesuffix('Function')}", route


def test_functions_are_named_by_their_place_in_the_stacks_for_sam_sync(main_template):
    assert main_template.resource_path("PostsGetFunction") == "PostsModule/PostsGetFunction"
    assert main_template.resource_path("AuthAuthorizerFunction") == "AuthAuthorizerFunction"
    assert Template(FIXTURE).resource_path("ChildEchoFunction") == "ChildStack/ChildEchoFunction"


def test_the_realtime_page_answers_503_without_npm(tmp_path, monkeypatch):
    (tmp_path / "package-lock.json").write_text("{}")  # not installed yet
    monkeypatch.setattr(realtime_page, "WEB_DIR", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm to install it with
    realtime = {"key": "k", "ws_host": "127.0.0.1", "ws_port": 3000, "auth_endpoint": "http://x/broadcasting/auth"}
    page = realtime_page.RealtimePage({**realtime, "secret": "s3cret"})
    request = Request("GET", realtime_page.PAGE_PATH, "", [], b"", "127.0.0.1", "r1")
    answer = asyncio.run(page.routes()[realtime_page.PAGE_PATH](request))
    assert answer.status == 503 and b"npm is needed" in answer.body and b"s3cret" not in answer.body
