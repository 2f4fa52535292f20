"""What the templates grant around listing cursors and media versions: every listing reads the
cursor keys and no other secret, no other function reads them; the media worker may read and delete
object versions only where it needs to; the media bucket expires what versioning keeps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

FUNCTION = "AWS::Serverless::Function"
CURSOR_SECRET = "CursorKeysSecret"
# A listing declares a `cursor` query parameter in its handler.
CURSOR_PARAMETER = re.compile(r"\bcursor: Annotated\[")
# Routes declared by a shared declaration (eckospace.http.marketplace_pages) that take a cursor.
CURSOR_ROUTES = re.compile(r"\b(owner_list_route|review_queue_route)\(")


def _functions(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {lid: r.get("Properties", {}) for lid, r in resources.items() if r.get("Type") == FUNCTION}


def _statements(props: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in props.get("Policies", []):
        if isinstance(policy, dict):
            statement = policy.get("Statement", [])
            found += statement if isinstance(statement, list) else [statement]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _actions(statement: dict[str, Any]) -> set[str]:
    return {str(a).lower() for a in _as_list(statement.get("Action", []))}


def _listings(repo_root: Path, functions: dict[str, dict[str, Any]]) -> set[str]:
    found = set()
    for lid, props in functions.items():
        code = str(props.get("CodeUri", ""))
        # The root's CodeUri is relative to the repository, a module stack's to infra/stacks/.
        candidates = [repo_root / code / "app.py", (repo_root / "infra" / "stacks" / code).resolve() / "app.py"]
        if any(
            c.exists() and (CURSOR_PARAMETER.search(c.read_text()) or CURSOR_ROUTES.search(c.read_text()))
            for c in candidates
        ):
            found.add(lid)
    return found


def test_every_listing_reads_the_cursor_keys_and_no_other_secret(repo_root, resources):
    functions = _functions(resources)
    listings = _listings(repo_root, functions)
    assert {
        "WalletLedgerListFunction",
        "WebhooksEndpointListFunction",
        "WebhooksDeliveryListFunction",
        "PostsFeedFunction",
        "PostsHashtagListFunction",
        "PostsUserListFunction",
        "PostsBookmarksListFunction",
        "PostsModerationReportsListFunction",
    } <= listings
    problems = []
    for lid, props in functions.items():
        secret_reads = [s for s in _statements(props) if any(a.startswith("secretsmanager:") for a in _actions(s))]
        reads_cursor_keys = [s for s in secret_reads if s.get("Resource") == {"Ref": CURSOR_SECRET}]
        if lid in listings:
            variables = props.get("Environment", {}).get("Variables", {})
            if variables.get("ECKO_CURSOR_KEYS_SECRET") != {"Ref": CURSOR_SECRET}:
                problems.append(f"{lid} lists with cursors but has no ECKO_CURSOR_KEYS_SECRET: !Ref {CURSOR_SECRET}")
            if (
                len(secret_reads) != 1
                or len(reads_cursor_keys) != 1
                or _actions(reads_cursor_keys[0]) != {"secretsmanager:getsecretvalue"}
            ):
                problems.append(f"{lid} must read {CURSOR_SECRET} (GetSecretValue) and no other secret: {secret_reads}")
        elif reads_cursor_keys:
            problems.append(f"{lid} is no listing but may read {CURSOR_SECRET}")
    assert not problems, "\n".join(problems)


def test_the_cursor_keys_are_a_generated_key_document(resources):
    secret = resources[CURSOR_SECRET]
    assert secret["Type"] == "AWS::SecretsManager::Secret" and "Condition" not in secret
    generate = secret["Properties"]["GenerateSecretString"]
    assert generate["GenerateStringKey"] in generate["SecretStringTemplate"]  # {"active": "<kid>", "<kid>": ...}
    assert int(generate["PasswordLength"]) >= 32


def _s3_grants(props: dict[str, Any]) -> dict[str, set[str]]:
    """Each S3 action a function is granted, by the resource (as written) it is granted on."""
    grants: dict[str, set[str]] = {}
    for statement in _statements(props):
        if statement.get("Effect") != "Allow":
            continue
        for resource in _as_list(statement.get("Resource", [])):
            for action in _actions(statement):
                if action.startswith("s3:"):
                    grants.setdefault(str(resource), set()).add(action)
    return grants


def test_the_media_worker_reads_and_deletes_versions_only_where_it_must(resources):
    functions = _functions(resources)
    grants = _s3_grants(functions["MediaWorkerFunction"])
    quarantine = next(actions for resource, actions in grants.items() if "/quarantine/*" in resource)
    published = next(actions for resource, actions in grants.items() if "/media/*" in resource)
    assert {"s3:getobjectversion", "s3:deleteobjectversion"} <= quarantine
    assert "s3:deleteobjectversion" in published and "s3:getobjectversion" not in published
    assert set(grants) == {r for r in grants if "/quarantine/*" in r or "/media/*" in r}, grants
    deleting_versions = {
        lid: [resource for resource, actions in _s3_grants(props).items() if "s3:deleteobjectversion" in actions]
        for lid, props in functions.items()
    }
    deleting_versions = {lid: resources for lid, resources in deleting_versions.items() if resources}
    assert set(deleting_versions) == {"MediaWorkerFunction", "MediaPublicationFunction"}, deleting_versions
    # the publication function deletes only its own public copies
    assert all("/public/*" in resource for resource in deleting_versions["MediaPublicationFunction"])


def test_only_the_cdn_may_read_the_bucket_and_only_its_public_copies(resources):
    statements = resources["MediaBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allowed = [statement for statement in statements if statement["Effect"] == "Allow"]
    assert len(allowed) == 1
    (grant,) = allowed
    assert grant["Principal"] == {"Service": "cloudfront.amazonaws.com"} and grant["Action"] == "s3:GetObject"
    assert grant["Resource"] == {"Fn::Sub": "${MediaBucket.Arn}/public/*"}
    assert "${MediaCdn}" in grant["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    bucket = resources["MediaBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())  # the bucket never becomes public
    origin = resources["MediaCdn"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["MediaCdnOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, not the legacy identity


@pytest.fixture
def media_rules(template_doc) -> dict[str, dict[str, Any]]:
    bucket = template_doc["Resources"]["MediaBucket"]["Properties"]
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    return {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}


def test_the_media_bucket_expires_noncurrent_versions_and_expired_delete_markers(media_rules):
    everywhere = [
        r for r in media_rules.values() if r["Status"] == "Enabled" and not r.get("Prefix") and "TagFilters" not in r
    ]
    assert any(int(r.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays", 0)) > 0 for r in everywhere)
    assert any(r.get("ExpiredObjectDeleteMarker") is True for r in everywhere)
    quarantine = [r for r in media_rules.values() if r.get("Prefix") == "quarantine/"]
    assert quarantine and all(int(r["NoncurrentVersionExpiration"]["NoncurrentDays"]) <= 1 for r in quarantine)
    for rule in media_rules.values():  # S3 refuses ExpiredObjectDeleteMarker beside a number of days
        assert not ("ExpiredObjectDeleteMarker" in rule and "ExpirationInDays" in rule), rule
