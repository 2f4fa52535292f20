"""What a developer uses around the API: the served OpenAPI document and docs, `make token`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import requests

from tests.support.local_stack import ROOT


def test_openapi_document_and_docs_are_served(stack):
    document = requests.get(stack.credentials["openapi_url"], timeout=60).json()
    operation = document["paths"]["/api/translations/app"]["get"]
    assert operation["security"] == [{"apiKey": [], "bearerAuth": ["translations:read"]}]
    assert document["servers"][0]["url"] == stack.credentials["api_url"]
    committed = json.loads((ROOT / "infra" / "openapi.json").read_text())
    assert committed["paths"] == document["paths"]
    docs = requests.get(stack.credentials["docs_url"], timeout=60)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_token_script_mints_a_narrow_token_the_api_accepts(stack, api_key):
    env = {**os.environ, "AWS_ENDPOINT_URL": stack.credentials["aws_endpoint_url"],
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    minted = subprocess.run([sys.executable, "infra/scripts/mint_token.py", "--scopes", "translations:read"], cwd=ROOT,
                            env=env, capture_output=True, text=True, check=True).stdout.strip()
    response = requests.get(stack.url("/api/translations/app"), timeout=30,
                            headers={"x-api-key": api_key, "Authorization": f"Bearer {minted}"})
    assert response.status_code == 200
    refused = subprocess.run([sys.executable, "infra/scripts/mint_token.py", "--scopes", "everything:please"], cwd=ROOT,
                             env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "unknown scopes" in refused.stderr
