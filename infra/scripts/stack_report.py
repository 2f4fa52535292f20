"""What CloudFormation would receive, stack by stack: the root template and every nested module
stack, packaged as `sam package` would (local code, layers and nested templates replaced by S3
locations named after a hash of their content) and transformed by SAM's own translator.

Reports each stack's resources, outputs, parameters and transformed size, and any dependency cycle
between resources of a stack (a nested stack is one resource of its parent, so a parent<->child
cycle shows up there). With `--impact`, also counts the resources that a one-line change to one
function's code, and one to the shared core layer, would change: a diff of the transformed
templates before and after, as a deploy would see them.

It runs on the SAM CLI's Python (`.venv-sam/bin/python`), where the translator is installed:
    .venv-sam/bin/python infra/scripts/stack_report.py [--parameter Name=Value ...] [--impact]
and prints JSON.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ROOT_TEMPLATE = "template.yaml"
BUCKET = "eckospace-artifacts"
# What a change touches, as a deploy would see it: the code of one function and the core layer.
IMPACT_FUNCTION = "functions/posts_get/app.py"
IMPACT_LAYER = "layers/core/python/eckospace/http/resolver.py"
COPIED = ("template.yaml", "infra", "functions", "layers")


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def _digest(path: Path) -> str:
    """A content hash of a file or a directory tree, as `sam package` names uploaded artifacts."""
    sha = hashlib.sha256()
    files = (
        [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    )
    for file in files:
        sha.update(file.relative_to(path.parent if path.is_file() else path).as_posix().encode())
        sha.update(file.read_bytes())
    return sha.hexdigest()[:32]


def _inline_includes(value: Any, base: Path) -> Any:
    if isinstance(value, list):
        return [_inline_includes(v, base) for v in value]
    if not isinstance(value, dict):
        return value
    transform_spec = value.get("Fn::Transform")
    if len(value) == 1 and isinstance(transform_spec, dict) and transform_spec.get("Name") == "AWS::Include":
        return _inline_includes(yaml_parse((base / transform_spec["Parameters"]["Location"]).read_text()), base)
    return {k: _inline_includes(v, base) for k, v in value.items()}


def _package(path: Path, parameters: dict[str, str], stacks: dict[str, dict[str, Any]], repo: Path) -> str:
    """Packages and transforms one template and (first) the templates nested in it; returns the
    S3 URL its parent would name. Transformed templates land in `stacks`, by repo-relative path."""
    base = path.parent
    template = _inline_includes(yaml_parse(path.read_text()), base)
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and "://" not in props[key]:
                props[key] = f"s3://{BUCKET}/{_digest(base / props[key])}"
        if resource["Type"] == "AWS::Serverless::Application" and isinstance(props.get("Location"), str):
            nested = {name: parameters.get(name, f"<{name}>") for name in props.get("Parameters", {})}
            props["Location"] = _package((base / props["Location"]).resolve(), nested, stacks, repo)
    declared = template.get("Parameters", {})
    values = {name: parameters.get(name, str(spec.get("Default", f"<{name}>"))) for name, spec in declared.items()}
    try:
        transformed = transform(copy.deepcopy(template), values, _NoManagedPolicies())
    except InvalidDocumentException as error:
        raise SystemExit(f"{path.relative_to(repo)}: SAM cannot transform it: {error}") from error
    relative = path.relative_to(repo).as_posix()
    stacks[relative] = transformed
    body = json.dumps(transformed, sort_keys=True).encode()
    return f"https://{BUCKET}.s3.amazonaws.com/{hashlib.sha256(body).hexdigest()[:32]}.template"


def transformed_stacks(repo: Path, parameters: dict[str, str]) -> dict[str, dict[str, Any]]:
    stacks: dict[str, dict[str, Any]] = {}
    _package(repo / ROOT_TEMPLATE, parameters, stacks, repo)
    return stacks


# ---------------------------------------------------------------------------------------- figures
def _references(value: Any) -> set[str]:
    """Logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add(arg[0] if isinstance(arg, list) else str(arg).split(".")[0])
            elif key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                found |= {name.split(".")[0] for name in _sub_names(text)}
                if isinstance(arg, list):
                    found |= _references(arg[1])
            else:
                found |= _references(arg)
    return found


def _sub_names(text: str) -> list[str]:
    names, start = [], text.find("${")
    while start != -1:
        end = text.find("}", start)
        if not text.startswith("${!", start):
            names.append(text[start + 2 : end])
        start = text.find("${", end)
    return names


def cycles(template: dict[str, Any]) -> list[list[str]]:
    resources = template.get("Resources", {})
    edges = {}
    for logical_id, resource in resources.items():
        depends = resource.get("DependsOn", [])
        targets = _references(resource.get("Properties", {})) | set([depends] if isinstance(depends, str) else depends)
        edges[logical_id] = sorted(targets & set(resources))
    found, state = [], dict.fromkeys(resources, 0)  # 0 new, 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in edges[node]:
            if state[target] == 1:
                found.append([*path[path.index(target) :], target] if target in path else [node, target])
            elif state[target] == 0:
                visit(target, [*path, target])
        state[node] = 2

    for node in resources:
        if state[node] == 0:
            visit(node, [node])
    return found


def figures(stacks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        name: {
            "resources": len(template.get("Resources", {})),
            "outputs": len(template.get("Outputs", {})),
            "parameters": len(template.get("Parameters", {})),
            "bytes": len(json.dumps(template, separators=(",", ":")).encode()),
            "cycles": cycles(template),
        }
        for name, template in stacks.items()
    }


def api_deployment(stacks: dict[str, dict[str, Any]]) -> str | None:
    """The logical id SAM gave the REST API's deployment (it changes when the stage must redeploy)."""
    resources = stacks[ROOT_TEMPLATE]["Resources"]
    return next((lid for lid, r in resources.items() if r["Type"] == "AWS::ApiGateway::Deployment"), None)


def changed_resources(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Per stack, the resources added, removed or changed between two transformed sets of stacks."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, {}).get("Resources", {}), after.get(name, {}).get("Resources", {})
        touched = sorted(
            f"{lid} ({(new.get(lid) or old.get(lid))['Type']}, "
            f"{'added' if lid not in old else 'removed' if lid not in new else 'changed'})"
            for lid in set(old) | set(new)
            if old.get(lid) != new.get(lid)
        )
        if touched:
            changes[name] = touched
    return changes


def impact(parameters: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """What a one-line change to one function's code, and to the core layer, would change."""
    before = transformed_stacks(REPO, parameters)
    found = {}
    for label, changed_file in (("function", IMPACT_FUNCTION), ("core_layer", IMPACT_LAYER)):
        with tempfile.TemporaryDirectory() as scratch:
            copy_root = Path(scratch) / "repo"
            copy_root.mkdir()
            for name in COPIED:
                source = REPO / name
                if source.is_dir():
                    shutil.copytree(source, copy_root / name, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(source, copy_root / name)
            with open(copy_root / changed_file, "a") as edited:
                edited.write("# a one-line change\n")
            found[label] = {
                "file": changed_file,
                "changes": changed_resources(before, transformed_stacks(copy_root, parameters)),
            }
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parameter", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--impact", action="store_true", help="also count what a one-line change touches")
    args = parser.parse_args()
    parameters = dict(item.split("=", 1) for item in args.parameter)
    stacks = transformed_stacks(REPO, parameters)
    report: dict[str, Any] = {
        "parameters": parameters,
        "stacks": figures(stacks),
        "api_deployment": api_deployment(stacks),
    }
    if args.impact:
        report["impact"] = impact(parameters)
    json.dump(report, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
