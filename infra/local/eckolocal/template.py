"""Reads template.yaml, the single source of truth, into what the local stack needs.

It evaluates Parameters (defaults, then overrides), Rules, Conditions and the intrinsic functions
the templates use (Ref, Fn::GetAtt, Fn::Sub, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Join,
Fn::Split, Fn::Select), gives every resource a local physical name, and leaves out resources whose Condition
is false, so a disabled module's functions, routes and tables do not exist locally either.

Nested stacks are read as CloudFormation reads them: an `AWS::Serverless::Application` with a
local `Location` is loaded with the parameters its parent passes down, only when its Condition
holds, and its outputs come back up through `Fn::GetAtt <App>.Outputs.<Name>`. Routes come from
`Api` events and from the REST API's `DefinitionBody` (inline or `AWS::Include`d), whose
integrations name functions by `FunctionName`, in whichever stack they live.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
PARTITION = "aws"
# A stream's ARN ends with a label the backend gives it when it creates the stream, which no
# template can know: a table's `StreamArn` reads `<table ARN>/stream/latest` here, and the stream
# pollers read whichever stream the table has (see `table_for_stream_arn`).
STREAM_LABEL = "latest"


class _CfnLoader(yaml.CSafeLoader):
    """YAML loader that turns short-form intrinsics (`!Ref X`) into their long form. libyaml's
    parser (PyYAML's wheels carry it): the local stack reads every stack many times as it starts,
    and the pure-Python one made that most of its start-up."""


def _construct_intrinsic(loader: yaml.CSafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or ANY
    path: str  # template path, e.g. /api/posts/{id}
    function: str  # logical id
    api_key_required: bool
    authorizer: str | None
    pattern: re.Pattern[str] = field(compare=False, repr=False)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.method not in ("ANY", method):
            return None
        found = self.pattern.match(path)
        return None if found is None else found.groupdict()


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    timeout: int
    memory: int
    layer_dirs: tuple[Path, ...]
    events: dict[str, dict[str, Any]]  # resolved in the function's own stack
    function_name: str = ""  # the deployed FunctionName, when the template sets one
    module: str = "core"  # the module whose stack holds it ("core": no parameter switches it off)

    @property
    def name(self) -> str:
        return self.logical_id


# API Gateway integration URIs name the function (and alias) they invoke.
_INTEGRATION_TARGET = re.compile(r":function:(?P<name>[^:/]+)(?::[^/]+)?/invocations$")
# SAM's markers in a DefinitionBody: no authorizer on this method, no API key on this method.
NO_AUTHORIZER, NO_API_KEY = "NONE", "api_key_false"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "any")


def _route_pattern(path: str) -> re.Pattern[str]:
    regex = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("+}"):
            regex += f"(?P<{part[1:-2]}>.+)"
        elif part.startswith("{"):
            regex += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            regex += re.escape(part)
    return re.compile(f"^{regex}$")


def module_name(condition: str | None) -> str:
    """`PostsEnabled` -> `posts`: the module a parameter switches; `core` when nothing can."""
    return condition.removesuffix("Enabled").lower() if condition and condition.endswith("Enabled") else "core"


class Template:
    def __init__(
        self,
        path: Path,
        *,
        stack_name: str = "eckospace-local",
        overrides: dict[str, str] | None = None,
        account_id: str = ACCOUNT_ID,
        local_defaults: dict[str, str] | None = None,
        parent: Template | None = None,
        module: str = "core",
        application: str | None = None,
    ) -> None:
        """`local_defaults` replace the template's defaults for the parameters it has (the local
        stack's own URL, say); `overrides` (the user's, or a parent stack's) win over both."""
        self.path = path
        self.account_id = account_id
        self.parent = parent
        self.module = module
        self.application = application  # the logical id of the nested stack in its parent
        self._known_refs: dict[str, str] = {}
        self._known_atts: dict[tuple[str, str], str] = {}
        self.stacks: dict[str, Template] = {}
        self._owners: dict[str, Template] = {}
        self.root = path.parent
        self.stack_name = stack_name
        self.doc = load_yaml(path)
        self.own_resources: dict[str, dict[str, Any]] = self.doc.get("Resources", {})
        self.globals = self.doc.get("Globals", {}).get("Function", {})
        declared = self.doc.get("Parameters", {})
        defaults = {k: v for k, v in (local_defaults or {}).items() if k in declared}
        self.parameters = self._parameters({**defaults, **(overrides or {})})
        self._check_rules()
        self.conditions: dict[str, bool] = {}
        for name in self.doc.get("Conditions", {}):
            self._condition(name)
        self.own_resources = {
            logical_id: resource
            for logical_id, resource in self.own_resources.items()
            if "Condition" not in resource or self._condition(resource["Condition"])
        }
        self._load_nested()

    # ------------------------------------------------------------------ nested stacks
    def _nested(self, logical_id: str, resource: dict[str, Any]) -> Template:
        props = resource.get("Properties", {})
        location = props.get("Location")
        if not isinstance(location, str) or "://" in location:
            raise ValueError(f"{logical_id}: only nested templates at a local Location are read locally")
        passed = {name: _parameter_text(value) for name, value in self.resolve(props.get("Parameters", {})).items()}
        return Template(
            (self.root / location).resolve(),
            stack_name=f"{self.stack_name}-{logical_id}",
            overrides=passed,
            account_id=self.account_id,
            parent=self,
            module=module_name(resource.get("Condition")),
            application=logical_id,
        )

    def _index_owners(self) -> dict[str, Template]:
        """Logical id -> the stack that declares it, across the whole tree (ids are unique in it)."""
        owners: dict[str, Template] = {logical_id: self for logical_id in self.own_resources}
        for child in self.stacks.values():
            for logical_id, owner in child._index_owners().items():
                if logical_id in owners:
                    raise ValueError(
                        f"{logical_id} is declared in two stacks ({owners[logical_id].path.name} "
                        f"and {owner.path.name}): logical ids must be unique across the stacks"
                    )
                owners[logical_id] = owner
        return owners

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        """Every enabled resource of this stack and of the stacks nested in it."""
        return {logical_id: owner.own_resources[logical_id] for logical_id, owner in self._owners.items()}

    def owner(self, logical_id: str) -> Template:
        return self._owners[logical_id]

    def resource_path(self, logical_id: str) -> str:
        """`PostsModule/PostsGetFunction`: how `sam sync --resource-id` and the console name it."""
        stack, path = self.owner(logical_id), [logical_id]
        while stack is not self and stack.application:
            path.insert(0, stack.application)
            stack = stack.parent
        return "/".join(path)

    def outputs(self) -> dict[str, Any]:
        return {
            name: self.resolve(output["Value"])
            for name, output in self.doc.get("Outputs", {}).items()
            if "Condition" not in output or self._condition(output["Condition"])
        }

    def _top(self) -> Template:
        return self if self.parent is None else self.parent._top()

    # ------------------------------------------------------------------ evaluation
    def _parameters(self, overrides: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, spec in self.doc.get("Parameters", {}).items():
            value = overrides.get(name, spec.get("Default"))
            if value is None:
                raise ValueError(f"{self.path.name}: parameter {name} has no default and no value passed")
            allowed = spec.get("AllowedValues")
            if allowed and str(value) not in [str(a) for a in allowed]:
                raise ValueError(f"template parameter {name}={value} is not one of {allowed}")
            values[name] = str(value)
        unknown = set(overrides) - set(values)
        if unknown:
            raise ValueError(f"unknown template parameters: {', '.join(sorted(unknown))}")
        return values

    def _check_rules(self) -> None:
        """Template Rules, as CloudFormation checks them before creating or updating a stack."""
        for name, rule in self.doc.get("Rules", {}).items():
            if "RuleCondition" in rule and not self.resolve(rule["RuleCondition"]):
                continue
            for assertion in rule.get("Assertions", []):
                if not self.resolve(assertion["Assert"]):
                    raise ValueError(f"template rule {name}: {assertion.get('AssertDescription', 'assertion failed')}")

    def _condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.resolve(self.doc["Conditions"][name]))
        return self.conditions[name]

    def physical_name(self, logical_id: str) -> str:
        if logical_id not in self.own_resources:
            return self.owner(logical_id).physical_name(logical_id)
        resource = self.own_resources[logical_id]
        props = resource.get("Properties", {})
        for key in ("TableName", "QueueName", "TopicName", "BucketName", "FunctionName", "Name"):
            if key in props and resource["Type"] != "AWS::Serverless::Api":
                return str(self.resolve(props[key]))
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            return f"arn:{PARTITION}:lambda:{REGION}:{self.account_id}:layer:{self.resolve(props['LayerName'])}:1"
        name = f"{self.stack_name}-{logical_id}"
        if resource["Type"] == "AWS::SQS::Queue" and props.get("FifoQueue"):
            return f"{name}.fifo"  # as CloudFormation names a FIFO queue: SQS requires the suffix
        return name.lower() if resource["Type"] == "AWS::S3::Bucket" else name

    def ref(self, name: str) -> Any:
        known_refs = self._top()._known_refs
        if name in known_refs:
            return known_refs[name]
        if self.parent is None and name in self._owners and name not in self.own_resources:
            return self.owner(name).ref(name)
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": PARTITION,
            "AWS::StackName": self.stack_name,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name.endswith(".Alias") or name.endswith(".Stage"):
            return self.ref(name.rsplit(".", 1)[0])
        if name not in self.own_resources:
            raise KeyError(f"Ref to unknown or disabled resource {name}")
        kind = self.own_resources[name]["Type"]
        physical = self.physical_name(name)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{self.account_id}/{physical}"
        if kind == "AWS::SNS::Topic":
            return f"arn:{PARTITION}:sns:{REGION}:{self.account_id}:{physical}"
        if kind == "AWS::Serverless::Api":
            return "local"
        if kind == "AWS::ApiGatewayV2::Stage":
            return str(self.resolve(self.own_resources[name]["Properties"]["StageName"]))
        return physical

    def set_ref(self, logical_id: str, value: str) -> None:
        """Record what the backend answered for a resource (a queue's real URL, say); nested stacks
        are read again, as their parameters may carry it."""
        top = self._top()
        top._known_refs[logical_id] = value
        top._load_nested()

    def set_att(self, logical_id: str, attribute: str, value: str) -> None:
        """Record what a resource's attribute is locally (the local CDN's address for a CloudFront
        distribution's `DomainName`, say); nested stacks are read again, as for `set_ref`.
        (Both are kept by the top stack: reading nested stacks again makes new ones.)"""
        top = self._top()
        top._known_atts[(logical_id, attribute)] = value
        top._load_nested()

    def _load_nested(self) -> None:
        self.stacks = {
            logical_id: self._nested(logical_id, resource)
            for logical_id, resource in self.own_resources.items()
            if resource["Type"] == "AWS::Serverless::Application"
        }
        self._owners = self._index_owners()

    def get_att(self, name: str, attribute: str) -> Any:
        if name not in self.own_resources and self.parent is None and name in self._owners:
            return self.owner(name).get_att(name, attribute)
        kind = self.own_resources[name]["Type"]
        if kind == "AWS::Serverless::Application" and attribute.startswith("Outputs."):
            outputs = self.stacks[name].outputs()
            output = attribute.removeprefix("Outputs.")
            if output not in outputs:
                raise KeyError(f"Fn::GetAtt {name}.{attribute}: the nested stack has no such output")
            return outputs[output]
        known_atts = self._top()._known_atts
        if (name, attribute) in known_atts:
            return known_atts[(name, attribute)]
        physical = self.physical_name(name)
        if kind == "AWS::S3::Bucket" and attribute == "RegionalDomainName":
            return f"{physical}.s3.{REGION}.amazonaws.com"
        if kind == "AWS::CloudFront::Distribution" and attribute == "DomainName":
            return f"{physical.lower()}.cloudfront.net"
        if kind == "AWS::CloudFront::OriginAccessControl" and attribute == "Id":
            return physical
        if kind == "AWS::ApiGatewayV2::Api" and attribute == "ApiEndpoint":
            scheme = "wss" if self.properties(name).get("ProtocolType") == "WEBSOCKET" else "https"
            return f"{scheme}://{self.ref(name)}.execute-api.{REGION}.amazonaws.com"
        if attribute == "Arn":
            service = {
                "AWS::DynamoDB::Table": f"dynamodb:{REGION}:{self.account_id}:table/",
                "AWS::SQS::Queue": f"sqs:{REGION}:{self.account_id}:",
                "AWS::S3::Bucket": "s3:::",
                "AWS::Serverless::Function": f"lambda:{REGION}:{self.account_id}:function:",
                "AWS::SecretsManager::Secret": f"secretsmanager:{REGION}:{self.account_id}:secret:",
            }[kind]
            return f"arn:{PARTITION}:{service}{physical}"
        if attribute == "StreamArn" and kind == "AWS::DynamoDB::Table":
            return f"{self.get_att(name, 'Arn')}/stream/{STREAM_LABEL}"
        if kind == "AWS::SNS::Topic" and attribute == "TopicArn":
            return self.ref(name)
        if attribute in ("QueueName", "TopicName", "Name"):
            return physical
        raise KeyError(f"Fn::GetAtt {name}.{attribute} is not supported locally")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not None]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                parts = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(parts[0], ".".join(parts[1:]))
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.resolve(when_true if self._condition(name) else when_false)
            if key == "Fn::Equals":
                left, right = (self.resolve(a) for a in arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(a) for a in arg)
            if key == "Fn::Or":
                return any(self.resolve(a) for a in arg)
            if key == "Condition":
                return self._condition(arg)
            if key == "Fn::Join":
                separator, items = arg
                return separator.join(str(i) for i in self.resolve(items))
            if key == "Fn::Split":
                separator, text = arg
                return str(self.resolve(text)).split(separator)
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Transform" and arg.get("Name") == "AWS::Include":
                return self.resolve(load_yaml(self.root / arg["Parameters"]["Location"]))
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not None}

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    # ------------------------------------------------------------------ views
    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        """Resources of a kind in this stack and the stacks nested in it."""
        return {lid: r for lid, r in self.resources.items() if r["Type"] == kind}

    def properties(self, logical_id: str) -> dict[str, Any]:
        owner = self.owner(logical_id)
        return owner.resolve(owner.own_resources[logical_id].get("Properties", {}))

    def _layer_dirs(self) -> dict[str, Path]:
        """A layer's resolved reference (what a function's `Layers` hold) -> its content directory."""
        top = self._top()
        return {
            str(top.owner(lid).ref(lid)): (top.owner(lid).root / resource["Properties"]["ContentUri"]).resolve()
            for lid, resource in top.of_type("AWS::Serverless::LayerVersion").items()
        }

    def functions(self) -> dict[str, FunctionSpec]:
        """Every function of this stack and of the stacks nested in it, each read in its own stack."""
        specs = {}
        layer_dirs = self._layer_dirs()
        for logical_id, resource in self.own_resources.items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            raw = resource.get("Properties", {})
            merged_env = dict(self.resolve(self.globals.get("Environment", {}).get("Variables", {})))
            merged_env.update(self.resolve(raw.get("Environment", {}).get("Variables", {})))
            # SAM appends a function's own layers to the Globals' layers.
            layers = [str(layer) for layer in self.resolve([*self.globals.get("Layers", []), *raw.get("Layers", [])])]
            specs[logical_id] = FunctionSpec(
                logical_id=logical_id,
                code_dir=(self.root / raw["CodeUri"]).resolve(),
                handler=raw.get("Handler", self.globals.get("Handler", "app.lambda_handler")),
                environment={k: str(v) for k, v in merged_env.items() if v is not None},
                timeout=int(self.resolve(raw.get("Timeout", self.globals.get("Timeout", 3)))),
                memory=int(self.resolve(raw.get("MemorySize", self.globals.get("MemorySize", 128)))),
                layer_dirs=tuple(layer_dirs[layer] / "python" for layer in layers if layer in layer_dirs),
                events=self.resolve(raw.get("Events", {})),
                function_name=str(self.resolve(raw["FunctionName"])) if "FunctionName" in raw else "",
                module=self.module,
            )
        for child in self.stacks.values():
            specs.update(child.functions())
        return specs

    def function_names(self) -> dict[str, str]:
        """Each function's deployed name (its FunctionName, or the name the stack gives it) -> its
        logical id: how integrations and the Lambda API name functions."""
        return {self.physical_name(logical_id): logical_id for logical_id in self.of_type("AWS::Serverless::Function")}

    def queue_for_arn(self, arn: str) -> str:
        """The logical id of the queue (in any stack) with this ARN."""
        for logical_id in self.of_type("AWS::SQS::Queue"):
            if self.get_att(logical_id, "Arn") == arn:
                return logical_id
        raise KeyError(f"no queue of the template has the ARN {arn}")

    def table_for_stream_arn(self, arn: str) -> str:
        """The logical id of the table (in any stack) whose stream this is, whatever its label."""
        for logical_id in self.of_type("AWS::DynamoDB::Table"):
            if arn.startswith(f"{self.get_att(logical_id, 'Arn')}/stream/"):
                return logical_id
        raise KeyError(f"no table of the template has the stream {arn}")

    def api(self) -> tuple[str, dict[str, Any]]:
        apis = {lid: r for lid, r in self.own_resources.items() if r["Type"] == "AWS::Serverless::Api"}
        if len(apis) != 1:
            raise ValueError("the local stack serves exactly one AWS::Serverless::Api")
        ((logical_id, resource),) = apis.items()
        props = dict(resource.get("Properties", {}))
        # The authorizer's FunctionArn names a function; keep the logical id rather than an ARN.
        auth = props.get("Auth", {})
        authorizers = {}
        for name, spec in auth.get("Authorizers", {}).items():
            target = spec.get("FunctionArn", {})
            ref = target.get("Ref") or target.get("Fn::GetAtt", [""])[0]
            authorizers[name] = {
                **self.resolve({k: v for k, v in spec.items() if k != "FunctionArn"}),
                "Function": ref.split(".")[0],
            }
        resolved = self.resolve({k: v for k, v in props.items() if k != "Auth"})
        resolved["Auth"] = {
            **self.resolve({k: v for k, v in auth.items() if k != "Authorizers"}),
            "Authorizers": authorizers,
        }
        return logical_id, resolved

    def routes(self) -> list[Route]:
        _, api = self.api()
        auth = api.get("Auth", {})
        functions = self.functions()
        routes = []
        for logical_id, spec in functions.items():
            for event in spec.events.values():
                if event.get("Type") != "Api":
                    continue
                props = event["Properties"]
                route_auth = props.get("Auth", {})
                authorizer = route_auth.get("Authorizer", auth.get("DefaultAuthorizer"))
                routes.append(
                    _route(
                        props["Method"],
                        props["Path"],
                        logical_id,
                        api_key=bool(route_auth.get("ApiKeyRequired", auth.get("ApiKeyRequired", False))),
                        authorizer=authorizer,
                    )
                )
        by_name = self.function_names()
        for path, item in (api.get("DefinitionBody") or {}).get("paths", {}).items():
            for method, operation in item.items():
                if method.lower() not in HTTP_METHODS:
                    continue
                routes.append(_definition_route(path, method, operation, by_name, auth))
        # Like API Gateway: literal paths win over templated ones, and longer over shorter.
        routes.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
        return routes

    def usage_plans(self) -> dict[str, dict[str, Any]]:
        return {lid: self.properties(lid) for lid in self.of_type("AWS::ApiGateway::UsagePlan")}


def _parameter_text(value: Any) -> str:
    """A value passed to a nested stack's parameter, as CloudFormation passes it: a string."""
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def integration_function(uri: str, functions_by_name: dict[str, str], where: str) -> str:
    """The logical id of the function an API Gateway integration URI invokes (by its deployed name)."""
    target = _INTEGRATION_TARGET.search(uri)
    if target is None or target["name"] not in functions_by_name:
        raise ValueError(f"{where}: its integration ({uri or 'none'}) names no function of the stacks")
    return functions_by_name[target["name"]]


def _route(method: str, path: str, function: str, *, api_key: bool, authorizer: str | None) -> Route:
    return Route(
        method=method.upper(),
        path=path,
        function=function,
        api_key_required=api_key,
        authorizer=None if authorizer in (None, NO_AUTHORIZER) else authorizer,
        pattern=_route_pattern(path),
    )


def _definition_route(
    path: str, method: str, operation: dict[str, Any], functions_by_name: dict[str, str], auth: dict[str, Any]
) -> Route:
    """A route of the API's DefinitionBody, with SAM's defaults and markers for security."""
    uri = str(operation.get("x-amazon-apigateway-integration", {}).get("uri", ""))
    function = integration_function(uri, functions_by_name, f"{method.upper()} {path}")
    requirements = {name for requirement in operation.get("security", []) for name in requirement}
    authorizers = requirements & set(auth.get("Authorizers", {}))
    authorizer = (
        NO_AUTHORIZER
        if NO_AUTHORIZER in requirements
        else (next(iter(authorizers)) if authorizers else auth.get("DefaultAuthorizer"))
    )
    api_key = "api_key" in requirements or (NO_API_KEY not in requirements and bool(auth.get("ApiKeyRequired")))
    return _route(method, path, function, api_key=api_key, authorizer=authorizer)
