"""Invariants of the templates (the root and every module stack), the generated route definition
and samconfig.toml that hold for every function, route, table, bucket and queue, present and
future. Read as written, before any Condition applies, so a module switched off is held to the
same rules."""

from __future__ import annotations

import os
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

Resources = dict[str, dict[str, Any]]

FUNCTION = "AWS::Serverless::Function"
API = "AWS::Serverless::Api"
LAYER = "AWS::Serverless::LayerVersion"
QUEUE = "AWS::SQS::Queue"
ALARM = "AWS::CloudWatch::Alarm"
TABLE = "AWS::DynamoDB::Table"
SIMPLE_TABLE = "AWS::Serverless::SimpleTable"
BUCKET = "AWS::S3::Bucket"
BUCKET_POLICY = "AWS::S3::BucketPolicy"
USAGE_PLAN = "AWS::ApiGateway::UsagePlan"

# Actions AWS does not scope to resources, so `Resource: "*"` is the only way to grant them.
# Exact names (IAM matches actions case-insensitively), not `xray:*`, which also covers actions that
# can be scoped. None is used yet.
RESOURCE_WILDCARD_ACTIONS = frozenset(
    action.lower()
    for action in (
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "cloudwatch:PutMetricData",
    )
)
# Named so the failure says why; any managed policy fails, these are just the likeliest.
WIDE_MANAGED_POLICIES = frozenset(
    {
        "AdministratorAccess",
        "PowerUserAccess",
        "AmazonDynamoDBFullAccess",
        "AmazonS3FullAccess",
        "AmazonSQSFullAccess",
        "AWSLambda_FullAccess",
        "SecretsManagerReadWrite",
        "AmazonSSMFullAccess",
    }
)

# Routes whose callers can hold neither our API key nor a bearer token: payment providers posting
# webhooks (they prove themselves by signature), Pusher server libraries publishing realtime events
# (signed with the app secret), sign-in providers redirecting a browser back, and the published
# public keys that anyone verifying our tokens must read. (path prefix, path suffix)
PUBLIC_ROUTES = (
    ("/payment/", "/webhook"),
    ("/apps/", ""),
    ("/users/", "/terminate_connections"),
    ("/social-login/callback/", ""),
    ("/social-login/redirect/", ""),
    ("/.well-known/", ""),
)
# Routes where the caller proves itself with a credential of its own instead of a bearer token:
# client credentials (OAuth token and revocation), a sign-in code or a refresh token (sessions).
# The API key is still required.
CLIENT_AUTHENTICATED_ROUTES = (("/api/oauth/", ""), ("/api/auth/session", ""), ("/api/auth/refresh", ""))

PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
USAGE_PLAN_LIMITS = (("Throttle", "RateLimit"), ("Throttle", "BurstLimit"), ("Quota", "Limit"))
REQUIRED_GATEWAY_RESPONSES = ("UNAUTHORIZED", "INVALID_API_KEY", "THROTTLED", "QUOTA_EXCEEDED")
RATE_LIMIT_RESPONSES = ("THROTTLED", "QUOTA_EXCEEDED")
# API Gateway header values are mapping expressions: a literal must be single quoted.
STATIC_SECONDS = re.compile(r"^'\d+'$")
LAMBDA_RUNTIME = "python3.13"
DEPLOY_ENVIRONMENTS = ("dev", "staging", "prod")
SECRET_PATTERNS = {
    "Stripe live secret key": re.compile(r"sk_live_[0-9A-Za-z]{8,}"),
    "Stripe webhook signing secret": re.compile(r"whsec_[0-9A-Za-z+/=]{8,}"),
    "PEM key or certificate": re.compile(r"-----BEGIN"),
    "AWS access key id": re.compile(r"AKIA[0-9A-Z]{16}"),
}


# ---------------------------------------------------------------------------------------- helpers
def _of_type(resources: Resources, kind: str) -> Resources:
    return {logical_id: resource for logical_id, resource in resources.items() if resource["Type"] == kind}


def _props(resource: Mapping[str, Any]) -> dict[str, Any]:
    return resource.get("Properties", {})


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _ref(value: Any) -> str | None:
    """The logical id in `!Ref X`, else None."""
    return value.get("Ref") if isinstance(value, dict) else None


def _get_att(value: Any, attribute: str) -> str | None:
    """The logical id in `!GetAtt X.<attribute>`, else None."""
    target = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    return target[0] if isinstance(target, list) and target[1:] == [attribute] else None


def _unmet(logical_id: str, checks: Mapping[str, bool]) -> list[str]:
    return [f"{logical_id} needs {requirement}" for requirement, met in checks.items() if not met]


def _report(problems: list[str]) -> str:
    return "\n".join(problems)


def _redrive_target(queue: Mapping[str, Any]) -> str | None:
    return _get_att(_props(queue).get("RedrivePolicy", {}).get("deadLetterTargetArn"), "Arn")


def _dead_letter_queues(resources: Resources) -> set[str]:
    """Queues other queues redrive to, and queues event sources send what they gave up on to (in a
    module stack, through the parameter `<Queue>Arn` the root passes down)."""
    redrive = {target for queue in _of_type(resources, QUEUE).values() if (target := _redrive_target(queue))}
    destinations = [
        event["Properties"].get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        for function in _of_type(resources, FUNCTION).values()
        for event in _props(function).get("Events", {}).values()
    ]
    on_failure = {
        _get_att(destination, "Arn") or (_ref(destination) or "").removesuffix("Arn")
        for destination in destinations
        if destination
    }
    return redrive | on_failure


def _matches(path: str, patterns: tuple[tuple[str, str], ...]) -> bool:
    return any(path.startswith(prefix) and path.endswith(suffix) for prefix, suffix in patterns)


def _unless(value: Any) -> Any:
    """What a `Fn::If [condition, value, AWS::NoValue]` wraps (the module's routes when it is on)."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        return value["Fn::If"][1]
    return value


def _api_routes(route_definition: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) of every route of the generated API definition."""
    for path, item in route_definition.get("paths", {}).items():
        for method, operation in _unless(item).items():
            yield method.upper(), path, _unless(operation)


def _function_named(resources: Resources, operation: dict[str, Any]) -> str | None:
    """The logical id of the function an operation's integration invokes (by FunctionName)."""
    uri = str(operation.get("x-amazon-apigateway-integration", {}).get("uri", {}).get("Fn::Sub", ""))
    found = re.search(r":function:eckospace-\$\{Environment\}-(\w+):live/invocations$", uri)
    return f"{found[1]}Function" if found and f"{found[1]}Function" in resources else None


def _stack_of(stack_docs: dict[str, dict[str, Any]], logical_id: str) -> dict[str, Any]:
    return next(doc for doc in stack_docs.values() if logical_id in doc.get("Resources", {}))


def _policy_problems(policies: Any) -> list[str]:
    if not isinstance(policies, list) or not policies:
        return ["needs its own Policies list"]
    problems = []
    for policy in policies:
        if isinstance(policy, str):
            wide = " (a wide AWS managed policy)" if policy.rsplit("/", 1)[-1] in WIDE_MANAGED_POLICIES else ""
            problems.append(f"uses managed policy {policy}{wide}; write inline statements")
        elif not isinstance(policy, dict) or "Statement" not in policy or set(policy) - {"Version", "Statement"}:
            problems.append(f"has a policy that is not inline statements: {policy}")
        else:
            problems.extend(p for statement in _as_list(policy["Statement"]) for p in _statement_problems(statement))
    return problems


def _statement_problems(statement: Mapping[str, Any]) -> list[str]:
    if statement.get("Effect") != "Allow":
        return []
    if {"NotAction", "NotResource"} & set(statement):
        return [f"allows with NotAction/NotResource: {statement}"]
    actions = [str(action) for action in _as_list(statement.get("Action", []))]
    targets = _as_list(statement.get("Resource", []))
    problems = [f"allows Action '*': {statement}"] if "*" in actions else []
    if not targets:
        problems.append(f"has no Resource: {statement}")
    if "*" in targets and (unscoped := [a for a in actions if a.lower() not in RESOURCE_WILDCARD_ACTIONS]):
        problems.append(f"allows {unscoped} on Resource '*'")
    return problems


def _code_uri(value: Any, stack: str) -> str:
    """A function's code directory, relative to the repository whichever stack declares it."""
    return os.path.normpath(os.path.join(os.path.dirname(stack), value)) if isinstance(value, str) else repr(value)


def _denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    secure = statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
    return (
        statement.get("Effect") == "Deny"
        and statement.get("Principal") in ("*", {"AWS": "*"})
        and str(secure).lower() == "false"
    )


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _bucket_policy_statements(resources: Resources) -> dict[str, list[dict[str, Any]]]:
    statements: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for policy in _of_type(resources, BUCKET_POLICY).values():
        props = _props(policy)
        if bucket := _ref(props.get("Bucket")):
            statements[bucket].extend(_as_list(props.get("PolicyDocument", {}).get("Statement", [])))
    return statements


# ---------------------------------------------------------------------------------------- sanity
def test_template_declares_functions_an_api_and_routes(
    resources: Resources, stack_docs: dict[str, Any], route_definition: dict[str, Any]
) -> None:
    # Guards every "for each resource" test below against passing on an empty or misread template.
    assert _of_type(resources, FUNCTION)
    assert len(_of_type(resources, API)) == 1
    assert len(list(_api_routes(route_definition))) >= 40
    assert len(stack_docs) >= 8, f"expected the root and seven module stacks, found {sorted(stack_docs)}"


# ---------------------------------------------------------------------------------------- queues
def test_every_queue_redrives_to_a_dead_letter_queue(resources: Resources) -> None:
    queues = _of_type(resources, QUEUE)
    dead_letters = _dead_letter_queues(resources)
    problems = [
        f"{logical_id} needs RedrivePolicy.deadLetterTargetArn: !GetAtt <a queue of this template>.Arn"
        for logical_id, queue in queues.items()
        if logical_id not in dead_letters and _redrive_target(queue) not in queues
    ]
    assert not problems, _report(problems)


def test_every_dead_letter_queue_has_an_alarm(resources: Resources) -> None:
    alarmed = {
        queue
        for alarm in _of_type(resources, ALARM).values()
        if _props(alarm).get("Namespace") == "AWS/SQS"
        for dimension in _props(alarm).get("Dimensions", [])
        if dimension.get("Name") == "QueueName"
        if (queue := _get_att(dimension.get("Value"), "QueueName"))
    }
    unwatched = sorted(_dead_letter_queues(resources) - alarmed)
    assert not unwatched, f"dead-letter queues without an AWS/SQS alarm on QueueName: {unwatched}"


# ---------------------------------------------------------------------------------------- functions
def test_every_function_has_least_privilege_inline_policies(resources: Resources) -> None:
    problems = []
    for logical_id, function in _of_type(resources, FUNCTION).items():
        props = _props(function)
        if "Role" in props:
            problems.append(f"{logical_id} sets Role: a shared role defeats per-function policies")
        problems.extend(f"{logical_id} {problem}" for problem in _policy_problems(props.get("Policies")))
    assert not problems, _report(problems)


def test_no_two_functions_share_code(stack_docs: dict[str, dict[str, Any]]) -> None:
    # A Globals CodeUri would be one bundle for every function that does not set its own.
    owners: dict[str, list[str]] = defaultdict(list)
    for name, doc in stack_docs.items():
        default = doc.get("Globals", {}).get("Function", {}).get("CodeUri")
        for logical_id, function in _of_type(doc.get("Resources", {}), FUNCTION).items():
            owners[_code_uri(_props(function).get("CodeUri", default), name)].append(logical_id)
    shared = {uri: functions for uri, functions in owners.items() if len(functions) > 1}
    assert not shared, f"each function needs a CodeUri of its own: {shared}"
    assert repr(None) not in owners, f"functions without a CodeUri: {owners.get(repr(None))}"


def test_globals_publish_trace_and_layer_every_function(stack_docs: dict[str, dict[str, Any]]) -> None:
    problems = []
    for name, doc in stack_docs.items():
        function_globals = doc.get("Globals", {}).get("Function", {})
        layers = _as_list(function_globals.get("Layers", []))
        own_layers = _of_type(doc.get("Resources", {}), LAYER)
        problems += _unmet(
            f"{name} Globals.Function",
            {
                "AutoPublishAlias": bool(function_globals.get("AutoPublishAlias")),
                "Tracing: Active": function_globals.get("Tracing") == "Active",
                f"Runtime: {LAMBDA_RUNTIME}": function_globals.get("Runtime") == LAMBDA_RUNTIME,
                "DeploymentPreference.Type: !Ref DeploymentType": _ref(
                    function_globals.get("DeploymentPreference", {}).get("Type")
                )
                == "DeploymentType",
                # In the stack itself, so a new layer version publishes new function versions.
                "Layers, each !Ref to a layer of the same stack with PublishLambdaVersion": bool(layers)
                and all(
                    _ref(layer) in own_layers and _is_true(_props(own_layers[_ref(layer)]).get("PublishLambdaVersion"))
                    for layer in layers
                ),
            },
        )
    assert not problems, _report(problems)


def test_every_function_has_its_name_log_group_and_rollback_alarm(stack_docs: dict[str, dict[str, Any]]) -> None:
    """What operators count on for each function: a predictable name, logs kept for the environment's
    retention, a version behind `live` for any change, and a deployment its own alarm rolls back."""
    problems = []
    for name, doc in stack_docs.items():
        stack = doc.get("Resources", {})
        for logical_id, function in _of_type(stack, FUNCTION).items():
            props, short = _props(function), logical_id.removesuffix("Function")
            log_group = stack.get(_ref(props.get("LoggingConfig", {}).get("LogGroup")) or "", {})
            alarms = [
                stack.get(_ref(alarm) or "", {}) for alarm in props.get("DeploymentPreference", {}).get("Alarms", [])
            ]
            problems += _unmet(
                f"{name} {logical_id}",
                {
                    f"FunctionName: !Sub eckospace-${{Environment}}-{short}": props.get("FunctionName")
                    == {"Fn::Sub": f"eckospace-${{Environment}}-{short}"},
                    "AutoPublishAliasAllProperties: true": _is_true(props.get("AutoPublishAliasAllProperties")),
                    (
                        "LoggingConfig.LogGroup: !Ref <a log group of its stack, "
                        "RetentionInDays: !Ref LogRetentionDays>"
                    ): log_group.get("Type") == "AWS::Logs::LogGroup"
                    and _ref(_props(log_group).get("RetentionInDays")) == "LogRetentionDays",
                    "DeploymentPreference.Alarms naming alarms of its stack": bool(alarms)
                    and all(alarm.get("Type") == ALARM for alarm in alarms),
                },
            )
    assert not problems, _report(problems)


# ---------------------------------------------------------------------------------------- state
def test_tables_are_on_demand_recoverable_and_encrypted(resources: Resources) -> None:
    problems = [
        f"{logical_id} is a SimpleTable, which cannot enable point-in-time recovery"
        for logical_id in _of_type(resources, SIMPLE_TABLE)
    ]
    for logical_id, table in _of_type(resources, TABLE).items():
        props = _props(table)
        problems += _unmet(
            logical_id,
            {
                "BillingMode: PAY_PER_REQUEST": props.get("BillingMode") == "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true": _is_true(
                    props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
                ),
                "SSESpecification.SSEEnabled: true": _is_true(props.get("SSESpecification", {}).get("SSEEnabled")),
            },
        )
    assert not problems, _report(problems)


def test_buckets_are_private_encrypted_and_tls_only(resources: Resources) -> None:
    policies = _bucket_policy_statements(resources)
    problems = []
    for logical_id, bucket in _of_type(resources, BUCKET).items():
        props = _props(bucket)
        block = props.get("PublicAccessBlockConfiguration", {})
        rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
        problems += _unmet(
            logical_id,
            {
                **{
                    f"PublicAccessBlockConfiguration.{flag}: true": _is_true(block.get(flag))
                    for flag in PUBLIC_ACCESS_FLAGS
                },
                "BucketEncryption with a default SSEAlgorithm": any(
                    rule.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for rule in rules
                ),
                "a bucket policy denying requests where aws:SecureTransport is false": any(
                    _denies_insecure_transport(statement) for statement in policies.get(logical_id, [])
                ),
            },
        )
    assert not problems, _report(problems)


# ---------------------------------------------------------------------------------------- the API
def test_api_requires_a_key_and_a_bearer_token_by_default(resources: Resources) -> None:
    problems = []
    for logical_id, api in _of_type(resources, API).items():
        auth = _props(api).get("Auth", {})
        problems += _unmet(
            logical_id,
            {
                "Auth.ApiKeyRequired: true": _is_true(auth.get("ApiKeyRequired")),
                "Auth.DefaultAuthorizer naming one of its Authorizers": auth.get("DefaultAuthorizer")
                in auth.get("Authorizers", {}),
            },
        )
    assert not problems, _report(problems)


def test_every_route_requires_a_key_and_a_token_except_callbacks(route_definition: dict[str, Any]) -> None:
    # In the definition, SAM's markers switch off what the Api's Auth adds to every operation:
    # `NONE` the default authorizer, `api_key_false` the API key.
    problems = []
    for method, path, operation in _api_routes(route_definition):
        route = f"{method} {path}"
        markers = {name for requirement in operation.get("security", []) for name in requirement}
        if _matches(path, PUBLIC_ROUTES):
            if markers != {"NONE", "api_key_false"}:
                problems.append(f"{route} is public: its security must be [{{NONE: []}}, {{api_key_false: []}}]")
        elif _matches(path, CLIENT_AUTHENTICATED_ROUTES):
            if markers != {"NONE"}:
                problems.append(f"{route} takes client credentials: its security must be [{{NONE: []}}]")
        elif markers:
            problems.append(f"{route} must keep the API key and the bearer authorizer, not {sorted(markers)}")
    assert not problems, _report(problems)


def test_every_route_reaches_its_function_with_a_permission_of_its_own(
    route_definition: dict[str, Any], resources: Resources, stack_docs: dict[str, Any]
) -> None:
    """The integration names a function of a module stack; that stack lets only this API, this
    method and this path invoke the function's `live` alias (no parent<->child cycle: the root
    never waits on a module's outputs, the module takes the API's id as a parameter)."""
    problems = []
    for method, path, operation in _api_routes(route_definition):
        function = _function_named(resources, operation)
        if function is None:
            problems.append(f"{method} {path} invokes no function of the stacks: {operation}")
            continue
        expected = re.sub(r"\{[^}]+\}", "*", path)
        arns = [
            str(_props(r).get("SourceArn", {}).get("Fn::Sub", ""))
            for r in _of_type(_stack_of(stack_docs, function)["Resources"], "AWS::Lambda::Permission").values()
            if _props(r).get("FunctionName") == {"Ref": f"{function}.Alias"}
        ]
        if not any(arn.endswith(f":${{EckoApi}}/*/{method}{expected}") for arn in arns):
            problems.append(f"{method} {path}: {function} has no permission for it (has {arns})")
    assert not problems, _report(problems)


def test_usage_plans_take_their_limits_from_parameters(resources: Resources, template_doc: dict[str, Any]) -> None:
    plans = _of_type(resources, USAGE_PLAN)
    assert len(plans) >= 3, f"expected free, standard and partner usage plans, found {sorted(plans)}"
    parameters = template_doc.get("Parameters", {})
    apis = _of_type(resources, API)
    problems = []
    for logical_id, plan in plans.items():
        props = _props(plan)
        problems += _unmet(
            logical_id,
            {
                **{
                    f"{section}.{key}: !Ref <a Parameter>": _ref(props.get(section, {}).get(key)) in parameters
                    for section, key in USAGE_PLAN_LIMITS
                },
                "ApiStages on the Api": any(_ref(stage.get("ApiId")) in apis for stage in props.get("ApiStages", [])),
            },
        )
    assert not problems, _report(problems)


def test_gateway_responses_explain_auth_and_rate_limits(resources: Resources) -> None:
    problems = []
    for logical_id, api in _of_type(resources, API).items():
        responses = _props(api).get("GatewayResponses", {})
        problems += [
            f"{logical_id} needs GatewayResponses.{name}"
            for name in REQUIRED_GATEWAY_RESPONSES
            if name not in responses
        ]
        rate_limited = {name for name, response in responses.items() if str(response.get("StatusCode")) == "429"}
        problems += [
            f"{logical_id} GatewayResponses.{name} must be StatusCode 429"
            for name in RATE_LIMIT_RESPONSES
            if name in responses and name not in rate_limited
        ]
        for name in sorted(rate_limited):
            retry_after = responses[name].get("ResponseParameters", {}).get("Headers", {}).get("Retry-After")
            if not STATIC_SECONDS.match(str(retry_after)):
                problems.append(
                    f"{logical_id} GatewayResponses.{name} needs a Retry-After header like \"'60'\", "
                    f"got {retry_after!r}"
                )
    assert not problems, _report(problems)


def test_gateway_response_bodies_say_the_status_they_are_sent_with(resources: Resources) -> None:
    problems = []
    for logical_id, api in _of_type(resources, API).items():
        for name, response in _props(api).get("GatewayResponses", {}).items():
            template = response.get("ResponseTemplates", {}).get("application/json", "")
            said = re.search(r'"status":\s*(\d+)', template)
            sent = response.get("StatusCode")
            if said and str(sent) != said[1]:
                problems.append(f"{logical_id} GatewayResponses.{name} says status {said[1]} but is sent as {sent}")
    assert not problems, _report(problems)


# ---------------------------------------------------------------------------------------- config
@pytest.mark.parametrize(
    "name",
    [
        "template.yaml",
        "samconfig.toml",
        "infra/api.yaml",
        *(
            f"infra/{kind}/{module}.yaml"
            for kind in ("modules", "stacks")
            for module in ("identity", "translations", "payments", "media", "posts", "webhooks", "platform")
        ),
    ],
)
def test_no_secret_is_committed(repo_root: Path, name: str) -> None:
    text = (repo_root / name).read_text()
    found = [
        f"{kind} on line {_line_of(text, match.start())}"
        for kind, pattern in SECRET_PATTERNS.items()
        for match in pattern.finditer(text)
    ]
    assert not found, f"{name} holds what looks like a secret: {found}"


def test_samconfig_deploys_every_environment_to_its_own_stack(repo_root: Path) -> None:
    config = tomllib.loads((repo_root / "samconfig.toml").read_text())
    problems = []
    stacks: dict[str, str] = {}
    for environment in DEPLOY_ENVIRONMENTS:
        deploy = config.get(environment, {}).get("deploy", {}).get("parameters")
        if not deploy:
            problems.append(f"samconfig.toml needs [{environment}.deploy.parameters]")
            continue
        overrides = " ".join(_as_list(deploy.get("parameter_overrides", ""))).split()
        if f"Environment={environment}" not in overrides:
            problems.append(f"{environment} must deploy with parameter_overrides Environment={environment}")
        shift = "AllAtOnce" if environment == "dev" else "Canary10Percent5Minutes"
        if f"DeploymentType={shift}" not in overrides:
            problems.append(f"{environment} must shift traffic with DeploymentType={shift}")
        if not any(o.startswith("LogRetentionDays=") for o in overrides):
            problems.append(f"{environment} must set LogRetentionDays")
        stacks[environment] = deploy.get("stack_name", "")
    if len(set(stacks.values())) != len(stacks):
        problems.append(f"each environment needs a stack of its own: {stacks}")
    assert not problems, _report(problems)


def test_the_route_listing_knows_every_module(template_doc: dict[str, Any], resources: Resources) -> None:
    """GET /api/meta/routes leaves out the routes of modules switched off: it must be told of each."""
    modules = [name.removesuffix("Enabled") for name in template_doc.get("Conditions", {}) if name.endswith("Enabled")]
    told = str(_props(resources["MetaRoutesListFunction"])["Environment"]["Variables"]["ECKO_MODULES"])
    missing = [m for m in modules if f"{m.lower()}=${{Enable{m}}}" not in told]
    assert not missing, f"ECKO_MODULES of MetaRoutesListFunction does not name: {missing}"


def test_domain_events_fan_out_to_a_queue_per_consumer(resources: Resources) -> None:
    """One topic; each consumer's queue subscribed with raw delivery (the envelope arrives as it was
    published) and a policy letting the topic in; each queue filtered to exactly the event types its
    consumer's catalogue names (the webhooks' subscribable ones, the notifications' sources)."""
    from eckospace.notifications.catalogue import EVENT_TYPES
    from eckospace.webhooks.catalogue import subscribable

    subscriptions = {
        _props(resource)["Endpoint"]["Fn::GetAtt"][0]: _props(resource)
        for resource in _of_type(resources, "AWS::SNS::Subscription").values()
    }
    assert set(subscriptions) == {"WebhookEventsQueue", "NotificationEventsQueue"}
    for queue, subscription in subscriptions.items():
        assert subscription["TopicArn"] == {"Ref": "DomainEventsTopic"} and subscription["Protocol"] == "sqs"
        assert subscription["RawMessageDelivery"] is True, queue
        [policy] = [
            _props(p)
            for p in _of_type(resources, "AWS::SQS::QueuePolicy").values()
            if _props(p)["Queues"] == [{"Ref": queue}]
        ]
        [statement] = policy["PolicyDocument"]["Statement"]
        assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == {"Ref": "DomainEventsTopic"}
    webhooks = subscriptions["WebhookEventsQueue"]  # only what integrations may subscribe to
    assert webhooks["FilterPolicyScope"] == "MessageAttributes"
    assert webhooks["FilterPolicy"] == {"event_type": sorted(entry.name for entry in subscribable())}
    notifications = subscriptions["NotificationEventsQueue"]
    assert notifications["FilterPolicyScope"] == "MessageAttributes"
    assert notifications["FilterPolicy"] == {"event_type": list(EVENT_TYPES)}
