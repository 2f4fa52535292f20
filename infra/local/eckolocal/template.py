"""Reads template.yaml, the single source of truth, into what the local stack needs.

It evaluates Parameters (defaults, then overrides), Conditions and the intrinsic functions the
template uses (Ref, Fn::GetAtt, Fn::Sub, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Join,
Fn::Select), gives every resource a local physical name, and leaves out resources whose Condition
is false, so a disabled module's functions, routes and tables do not exist locally either.
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


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns short-form intrinsics (`!Ref X`) into their long form."""


def _construct_intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
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
    events: dict[str, dict[str, Any]]

    @property
    def name(self) -> str:
        return self.logical_id


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


class Template:
    def __init__(self, path: Path, *, stack_name: str = "eckospace-local",
                 overrides: dict[str, str] | None = None, account_id: str = ACCOUNT_ID,
                 local_defaults: dict[str, str] | None = None) -> None:
        """`local_defaults` replace the template's defaults for the parameters it has (the local
        stack's own URL, say); `overrides` (the user's) win over both."""
        self.path = path
        self.account_id = account_id
        self._known_refs: dict[str, str] = {}
        self.root = path.parent
        self.stack_name = stack_name
        self.doc = load_yaml(path)
        self.resources: dict[str, dict[str, Any]] = self.doc.get("Resources", {})
        self.globals = self.doc.get("Globals", {}).get("Function", {})
        declared = self.doc.get("Parameters", {})
        defaults = {k: v for k, v in (local_defaults or {}).items() if k in declared}
        self.parameters = self._parameters({**defaults, **(overrides or {})})
        self.conditions: dict[str, bool] = {}
        for name in self.doc.get("Conditions", {}):
            self._condition(name)
        self.resources = {
            logical_id: resource for logical_id, resource in self.resources.items()
            if "Condition" not in resource or self._condition(resource["Condition"])
        }

    # ------------------------------------------------------------------ evaluation
    def _parameters(self, overrides: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, spec in self.doc.get("Parameters", {}).items():
            value = overrides.get(name, spec.get("Default"))
            if value is None:
                raise ValueError(f"template parameter {name} has no default and no override")
            allowed = spec.get("AllowedValues")
            if allowed and str(value) not in [str(a) for a in allowed]:
                raise ValueError(f"template parameter {name}={value} is not one of {allowed}")
            values[name] = str(value)
        unknown = set(overrides) - set(values)
        if unknown:
            raise ValueError(f"unknown template parameters: {', '.join(sorted(unknown))}")
        return values

    def _condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.resolve(self.doc["Conditions"][name]))
        return self.conditions[name]

    def physical_name(self, logical_id: str) -> str:
        resource = self.resources[logical_id]
        props = resource.get("Properties", {})
        for key in ("TableName", "QueueName", "BucketName", "Name"):
            if key in props and resource["Type"] != "AWS::Serverless::Api":
                return str(self.resolve(props[key]))
        name = f"{self.stack_name}-{logical_id}"
        return name.lower() if resource["Type"] == "AWS::S3::Bucket" else name

    def ref(self, name: str) -> Any:
        if name in self._known_refs:
            return self._known_refs[name]
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": self.account_id, "AWS::Partition": PARTITION,
                  "AWS::StackName": self.stack_name, "AWS::URLSuffix": "amazonaws.com",
                  "AWS::NoValue": None}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name.endswith(".Alias") or name.endswith(".Stage"):
            return self.ref(name.rsplit(".", 1)[0])
        if name not in self.resources:
            raise KeyError(f"Ref to unknown or disabled resource {name}")
        kind = self.resources[name]["Type"]
        physical = self.physical_name(name)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{self.account_id}/{physical}"
        if kind == "AWS::Serverless::Api":
            return "local"
        return physical

    def set_ref(self, logical_id: str, value: str) -> None:
        """Record what the backend answered for a resource (a queue's real URL, say)."""
        self._known_refs[logical_id] = value

    def get_att(self, name: str, attribute: str) -> Any:
        kind = self.resources[name]["Type"]
        physical = self.physical_name(name)
        if attribute == "Arn":
            service = {"AWS::DynamoDB::Table": f"dynamodb:{REGION}:{self.account_id}:table/",
                       "AWS::SQS::Queue": f"sqs:{REGION}:{self.account_id}:",
                       "AWS::S3::Bucket": "s3:::",
                       "AWS::Serverless::Function": f"lambda:{REGION}:{self.account_id}:function:",
                       "AWS::SecretsManager::Secret": f"secretsmanager:{REGION}:{self.account_id}:secret:"}[kind]
            return f"arn:{PARTITION}:{service}{physical}"
        if attribute in ("QueueName", "Name"):
            return physical
        raise KeyError(f"Fn::GetAtt {name}.{attribute} is not supported locally")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not None]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                parts = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(parts[0], parts[1])
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
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
        return {k: self.resolve(v) for k, v in value.items()}

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
        return {lid: r for lid, r in self.resources.items() if r["Type"] == kind}

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resolve(self.resources[logical_id].get("Properties", {}))

    def functions(self) -> dict[str, FunctionSpec]:
        layer_dirs = {lid: self.root / r["Properties"]["ContentUri"]
                      for lid, r in self.of_type("AWS::Serverless::LayerVersion").items()}
        specs = {}
        for logical_id, resource in self.of_type("AWS::Serverless::Function").items():
            raw = resource.get("Properties", {})
            merged_env = dict(self.resolve(self.globals.get("Environment", {}).get("Variables", {})))
            merged_env.update(self.resolve(raw.get("Environment", {}).get("Variables", {})))
            # SAM appends a function's own layers to the Globals' layers.
            layers = [*self.globals.get("Layers", []), *raw.get("Layers", [])]
            specs[logical_id] = FunctionSpec(
                logical_id=logical_id,
                code_dir=self.root / raw["CodeUri"],
                handler=raw.get("Handler", self.globals.get("Handler", "app.lambda_handler")),
                environment={k: str(v) for k, v in merged_env.items() if v is not None},
                timeout=int(raw.get("Timeout", self.globals.get("Timeout", 3))),
                memory=int(raw.get("MemorySize", self.globals.get("MemorySize", 128))),
                layer_dirs=tuple(layer_dirs[layer["Ref"]] / "python" for layer in layers
                                 if isinstance(layer, dict) and layer.get("Ref") in layer_dirs),
                events=raw.get("Events", {}),
            )
        return specs

    def api(self) -> tuple[str, dict[str, Any]]:
        apis = self.of_type("AWS::Serverless::Api")
        if len(apis) != 1:
            raise ValueError("the local stack serves exactly one AWS::Serverless::Api")
        (logical_id, resource), = apis.items()
        props = dict(resource.get("Properties", {}))
        # The authorizer's FunctionArn names a function; keep the logical id rather than an ARN.
        auth = props.get("Auth", {})
        authorizers = {}
        for name, spec in auth.get("Authorizers", {}).items():
            target = spec.get("FunctionArn", {})
            ref = target.get("Ref") or target.get("Fn::GetAtt", [""])[0]
            authorizers[name] = {**self.resolve({k: v for k, v in spec.items() if k != "FunctionArn"}),
                                 "Function": ref.split(".")[0]}
        resolved = self.resolve({k: v for k, v in props.items() if k != "Auth"})
        resolved["Auth"] = {**self.resolve({k: v for k, v in auth.items() if k != "Authorizers"}),
                            "Authorizers": authorizers}
        return logical_id, resolved

    def routes(self) -> list[Route]:
        _, api = self.api()
        auth = api.get("Auth", {})
        routes = []
        for logical_id, spec in self.functions().items():
            for event in spec.events.values():
                if event.get("Type") != "Api":
                    continue
                props = self.resolve(event["Properties"])
                route_auth = props.get("Auth", {})
                authorizer = route_auth.get("Authorizer", auth.get("DefaultAuthorizer"))
                routes.append(Route(
                    method=props["Method"].upper(),
                    path=props["Path"],
                    function=logical_id,
                    api_key_required=bool(route_auth.get("ApiKeyRequired", auth.get("ApiKeyRequired", False))),
                    authorizer=None if authorizer in (None, "NONE") else authorizer,
                    pattern=_route_pattern(props["Path"]),
                ))
        # Like API Gateway: literal paths win over templated ones, and longer over shorter.
        routes.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
        return routes

    def usage_plans(self) -> dict[str, dict[str, Any]]:
        return {lid: self.properties(lid) for lid in self.of_type("AWS::ApiGateway::UsagePlan")}
