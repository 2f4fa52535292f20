"""What the local stack creates from a template's properties: secrets as GenerateSecretString makes
them, lifecycle rules as S3's API takes them, table streams as DynamoDB's API takes them."""

from __future__ import annotations

import json

from eckolocal.provision import generated_secret, lifecycle_rule, stream_specification


def test_a_generated_secret_follows_its_template():
    document = json.loads(
        generated_secret(
            {
                "SecretStringTemplate": '{"active": "c0"}',
                "GenerateStringKey": "c0",
                "PasswordLength": 64,
                "ExcludePunctuation": True,
            }
        )
    )
    assert set(document) == {"active", "c0"} and document["active"] == "c0" and len(document["c0"]) == 64
    plain = generated_secret({"PasswordLength": 32})
    assert len(plain) == 32 and plain != generated_secret({"PasswordLength": 32})


def test_a_table_stream_is_enabled_with_its_view_type():
    props = {"StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}}
    assert stream_specification(props) == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert stream_specification({}) is None


def test_cloudformation_lifecycle_rules_become_s3_rules():
    assert lifecycle_rule(
        {
            "Id": "q",
            "Status": "Enabled",
            "Prefix": "quarantine/",
            "ExpirationInDays": 2,
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
        }
    ) == {
        "ID": "q",
        "Status": "Enabled",
        "Filter": {"Prefix": "quarantine/"},
        "Expiration": {"Days": 2},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
    }
    assert lifecycle_rule(
        {
            "Id": "all",
            "Status": "Enabled",
            "NoncurrentVersionExpirationInDays": 7,
            "ExpiredObjectDeleteMarker": True,
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }
    ) == {
        "ID": "all",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "Expiration": {"ExpiredObjectDeleteMarker": True},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 7},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    }
