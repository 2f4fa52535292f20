"""`make generate`: every file derived from the functions' code and infra/modules, written
(`--write`) or checked against what is committed (`--check`, in CI):

- `infra/stacks/<module>.yaml`, each module's nested stack (see `eckolocal.modules`);
- the module stacks and Rules regions of `template.yaml`;
- `infra/api.yaml`, the REST API's routes, read from the functions' code: a route is declared once,
  where its handler is (`@app.get("/api/posts/<post_id>")`), and reaches the gateway from there;
- `infra/openapi.json`, the public OpenAPI document, and the route manifest that
  `GET /api/meta/routes` serves.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from eckolocal import cfnyaml
from eckolocal.modules import (
    MODULE_STACKS,
    NAME_PREFIX,
    ModuleSource,
    Operation,
    function_name,
    header,
    load_sources,
    render_stack,
    replace_region,
    root_applications,
    root_rules,
)
from eckolocal.openapi import function_schema, merged_document, render, route_manifest
from eckolocal.template import NO_API_KEY, NO_AUTHORIZER, Template, load_yaml

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = Path("template.yaml")
ROUTE_DEFINITION = Path("infra/api.yaml")
OPENAPI_DOCUMENT = Path("infra/openapi.json")
ROUTE_MANIFEST = Path("functions/meta_routes_list/routes.json")
CORE_LAYER = Path("layers/core/python")
BEARER, API_KEY = "bearerAuth", "apiKey"
# SAM adds the default authorizer and the API key to an operation unless its security says otherwise.
GATEWAY_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "bearer": [],
    "key": [{NO_AUTHORIZER: []}],
    "public": [{NO_AUTHORIZER: []}, {NO_API_KEY: []}],
}


def _security(requirements: list[dict[str, Any]] | None, where: str) -> str:
    """What the gateway checks for an operation, from the security its code documents."""
    if not requirements:
        return "public"
    keys = [API_KEY in requirement for requirement in requirements]
    tokens = [BEARER in requirement for requirement in requirements]
    if all(keys) and all(tokens):
        return "bearer"
    if all(keys) and not any(tokens):
        return "key"
    raise ValueError(
        f"{where}: every security alternative must ask for the same gateway checks "
        f"(an API key, and a bearer token or not): {requirements}"
    )


def discover_operations(sources: list[ModuleSource], repo: Path) -> dict[str, list[Operation]]:
    """Logical id -> the operations its code serves, for every function of every module."""
    operations = {}
    for source in sources:
        for logical_id, function in source.functions().items():
            props = function["Properties"]
            schema = function_schema(
                (repo / props["CodeUri"]).resolve(),
                props.get("Handler", "app.lambda_handler"),
                ((repo / CORE_LAYER).resolve(),),
            )
            if schema is None:
                continue
            operations[logical_id] = [
                Operation(method.upper(), path, _security(operation.get("security"), f"{method.upper()} {path}"))
                for path, item in sorted(schema.get("paths", {}).items())
                for method, operation in item.items()
            ]
    return operations


def _integration(logical_id: str) -> dict[str, Any]:
    target = f"{NAME_PREFIX}{function_name(logical_id)}:live"
    return {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "passthroughBehavior": "when_no_match",
        "uri": {
            "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
            "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
            f"{target}/invocations"
        },
    }


def _when(condition: str | None, value: dict[str, Any]) -> dict[str, Any]:
    return value if condition is None else {"Fn::If": [condition, value, {"Ref": "AWS::NoValue"}]}


def route_definition(
    sources: list[ModuleSource], root: dict[str, Any], operations: dict[str, list[Operation]]
) -> dict[str, Any]:
    """The REST API's OpenAPI body: every route, its gateway checks, and the function it invokes by
    name, each under its module's condition so a module switched off leaves no route behind."""
    methods: dict[str, dict[str, tuple[str | None, dict[str, Any]]]] = {}
    for source in sources:
        condition = source.condition(root)
        for logical_id in source.functions():
            for operation in operations.get(logical_id, []):
                body: dict[str, Any] = {}
                if GATEWAY_SECURITY[operation.security]:
                    body["security"] = GATEWAY_SECURITY[operation.security]
                body["x-amazon-apigateway-integration"] = _integration(logical_id)
                method = operation.method.lower()
                if method in methods.setdefault(operation.path, {}):
                    raise ValueError(f"{operation.method} {operation.path} is served by two functions")
                methods[operation.path][method] = (condition, body)
    paths = {}
    for path in sorted(methods):
        conditions = {condition for condition, _ in methods[path].values()}
        if len(conditions) == 1:  # the whole path belongs to one module: no empty resource left behind
            paths[path] = _when(conditions.pop(), {m: body for m, (_, body) in sorted(methods[path].items())})
        else:
            paths[path] = {m: _when(condition, body) for m, (condition, body) in sorted(methods[path].items())}
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "EckoSpace API",
            "version": "1.0.0",
            "description": "The gateway's routes, generated from the functions' code.",
        },
        "paths": paths,
    }


def generated_files(repo: Path) -> dict[Path, str]:
    """Every generated file but the OpenAPI document and the route manifest, which are read from
    the template these describe."""
    sources = load_sources(repo)
    root_text = (repo / TEMPLATE).read_text()
    root = load_yaml(repo / TEMPLATE)
    operations = discover_operations(sources, repo)
    files: dict[Path, str] = {}
    passed = {}
    for source in sources:
        stack, passed[source.name] = render_stack(source, root, operations, repo)
        files[MODULE_STACKS / f"{source.name}.yaml"] = header(source) + cfnyaml.dump(stack)
    root_text = replace_region(root_text, "module rules", root_rules(sources, root), indent=2)
    root_text = replace_region(root_text, "module stacks", root_applications(sources, root, passed), indent=2)
    files[TEMPLATE] = root_text
    files[ROUTE_DEFINITION] = (
        "# Generated by `make generate` from the functions' routes: do not edit.\n"
        + yaml.safe_dump(route_definition(sources, root, operations), sort_keys=False, width=10_000)
    )
    return files


def described_files(repo: Path) -> dict[Path, str]:
    template = Template(repo / TEMPLATE)
    document = merged_document(template)
    return {OPENAPI_DOCUMENT: render(document), ROUTE_MANIFEST: render(route_manifest(template, document))}


def _stale(repo: Path, files: dict[Path, str]) -> list[str]:
    return [
        str(path) for path, text in files.items() if not (repo / path).exists() or (repo / path).read_text() != text
    ]


def _orphans(repo: Path, files: dict[Path, str]) -> list[Path]:
    """Generated stacks whose module source is gone."""
    return [
        path.relative_to(repo) for path in (repo / MODULE_STACKS).glob("*.yaml") if path.relative_to(repo) not in files
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="write the generated files")
    action.add_argument("--check", action="store_true", help="fail when a generated file is not current")
    parser.add_argument("--repo", type=Path, default=ROOT)
    args = parser.parse_args()
    repo = args.repo.resolve()
    files = generated_files(repo)
    if args.write:
        (repo / MODULE_STACKS).mkdir(parents=True, exist_ok=True)
        for path in _orphans(repo, files):
            (repo / path).unlink()
        for path, text in files.items():
            (repo / path).write_text(text)
        for path, text in described_files(repo).items():
            (repo / path).write_text(text)
        return 0
    stale = _stale(repo, files) + [str(path) for path in _orphans(repo, files)]
    if not stale:
        stale = _stale(repo, described_files(repo))
    if stale:
        print(
            f"out of date with the code and infra/modules: {', '.join(stale)}; run `make generate` and commit.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
