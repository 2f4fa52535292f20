"""The deployment shape, as CloudFormation would receive it: every stack transformed by SAM's own
translator (infra/scripts/stack_report.py) stays within its budget, no stack waits on itself, a
module switched on or off reaches the API's stage, and a change to one function touches that
function alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.conftest import stack_report

MAX_RESOURCES = 200  # 40% of CloudFormation's 500 per stack: room for every module to grow
MAX_BYTES = 500 * 1024
MODULES = (
    "identity",
    "translations",
    "payments",
    "media",
    "posts",
    "webhooks",
    "platform",
    "realtime",
    "notifications",
    "chat",
    "marketplace",
    "jobs",
    "contacts",
    "analytics",
)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return stack_report(impact=True)


def test_every_stack_is_within_its_budget_and_free_of_cycles(report: dict[str, Any]) -> None:
    stacks = report["stacks"]
    assert set(stacks) == {"template.yaml", *(f"infra/stacks/{module}.yaml" for module in MODULES)}
    counts = ", ".join(
        f"{name}: {figures['resources']} resources, {figures['bytes'] // 1024} KB"
        for name, figures in sorted(stacks.items())
    )
    problems = [
        f"{name} has {figures['resources']} resources (at most {MAX_RESOURCES})"
        for name, figures in stacks.items()
        if figures["resources"] > MAX_RESOURCES
    ]
    problems += [
        f"{name} is {figures['bytes']} bytes transformed (at most {MAX_BYTES})"
        for name, figures in stacks.items()
        if figures["bytes"] > MAX_BYTES
    ]
    problems += [
        f"{name} has a dependency cycle: {' -> '.join(cycle)}"
        for name, figures in stacks.items()
        for cycle in figures["cycles"]
    ]
    assert not problems, f"{problems}\n({counts})"


@pytest.mark.parametrize("switch", ["EnablePosts", "EnablePayments", "EnableTranslations"])
def test_switching_a_module_gives_the_stage_a_new_deployment(report: dict[str, Any], switch: str) -> None:
    # SAM names the deployment from the API definition before conditions apply: without the
    # modules' marker in BinaryMediaTypes the stage would keep serving the routes it had.
    switched = stack_report(f"{switch}=false")
    assert switched["api_deployment"] != report["api_deployment"]
    assert stack_report(f"{switch}=true")["api_deployment"] == report["api_deployment"]


def _kinds(changes: list[str]) -> list[str]:
    """'PostsGetFunctionVersion1a2b (AWS::Lambda::Version, added)' -> 'AWS::Lambda::Version added'."""
    return sorted(change.split(" (", 1)[1].rstrip(")").replace(",", "") for change in changes)


def test_a_change_to_one_function_touches_that_function_alone(report: dict[str, Any]) -> None:
    changes = report["impact"]["function"]["changes"]
    assert set(changes) == {"template.yaml", "infra/stacks/posts.yaml"}, changes
    # The root only hands the posts stack its new template; in it, the function's code, a new
    # version (SAM replaces it) and the `live` alias that CodeDeploy shifts to it.
    assert changes["template.yaml"] == ["PostsModule (AWS::CloudFormation::Stack, changed)"]
    assert all(change.startswith("PostsGetFunction") for change in changes["infra/stacks/posts.yaml"]), changes
    assert _kinds(changes["infra/stacks/posts.yaml"]) == [
        "AWS::Lambda::Alias changed",
        "AWS::Lambda::Function changed",
        "AWS::Lambda::Version added",
        "AWS::Lambda::Version removed",
    ]


def test_a_change_to_the_core_layer_publishes_a_new_version_of_every_function(
    report: dict[str, Any], stack_docs: dict[str, Any]
) -> None:
    changes = report["impact"]["core_layer"]["changes"]
    functions = {
        logical_id
        for doc in stack_docs.values()
        for logical_id, resource in doc["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    versioned = {
        change.split("Version", 1)[0]
        for stack in changes.values()
        for change in stack
        if "(AWS::Lambda::Version, added)" in change
    }
    assert versioned == functions
