"""The emulator's presigned POST checks, against policies boto3 itself signs."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.config import Config

from eckolocal.emulator import PolicyViolation, check_post_policy

SECRET = "local-secret"


def signed_form(size: int = 10, expires: int = 900) -> dict[str, str]:
    s3 = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key=SECRET, region_name="us-east-1").client(
        "s3", endpoint_url="http://127.0.0.1:1", config=Config(signature_version="s3v4")
    )
    post = s3.generate_presigned_post(
        "media",
        "quarantine/med_1",
        ExpiresIn=expires,
        Fields={"Content-Type": "image/png"},
        Conditions=[{"Content-Type": "image/png"}, ["content-length-range", size, size]],
    )
    return post["fields"]


def test_the_form_as_signed_passes():
    check_post_policy("media", signed_form(), 10, secret=SECRET, now=dt.datetime.now(dt.UTC))


@pytest.mark.parametrize(
    ("bucket", "changes", "size", "code"),
    [
        ("media", {}, 11, "EntityTooLarge"),
        ("media", {}, 9, "EntityTooSmall"),
        ("other", {}, 10, "AccessDenied"),
        ("media", {"key": "quarantine/med_2"}, 10, "AccessDenied"),
        ("media", {"Content-Type": "text/html"}, 10, "AccessDenied"),
        ("media", {"success_action_status": "201"}, 10, "AccessDenied"),
        ("media", {"x-amz-signature": "f" * 64}, 10, "AccessDenied"),
        ("media", {"policy": ""}, 10, "AccessDenied"),
    ],
)
def test_anything_the_policy_did_not_allow_is_refused(bucket, changes, size, code):
    with pytest.raises(PolicyViolation) as refused:
        check_post_policy(bucket, signed_form() | changes, size, secret=SECRET, now=dt.datetime.now(dt.UTC))
    assert refused.value.code == code


def test_an_expired_policy_is_refused():
    with pytest.raises(PolicyViolation, match="expired"):
        check_post_policy(
            "media", signed_form(expires=60), 10, secret=SECRET, now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
        )


def test_a_policy_signed_with_another_secret_is_refused():
    with pytest.raises(PolicyViolation, match="signature"):
        check_post_policy("media", signed_form(), 10, secret="not-" + SECRET, now=dt.datetime.now(dt.UTC))
