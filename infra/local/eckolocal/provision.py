"""Creates the template's tables, buckets, queues, SNS topics and their subscriptions, parameters,
secrets, CloudFront distributions and usage plans in the backend (the embedded emulator by default,
or whatever AWS_ENDPOINT_URL / the AWS profile points at). The emulator (moto) delivers SNS to SQS
with raw delivery and applies subscriptions' filter policies, as SNS does.

Creation is idempotent: what exists is kept, so data survives restarts against a persistent backend.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from botocore.exceptions import ClientError

from eckolocal.template import Template

log = logging.getLogger("eckolocal")

_TABLE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
)


def _exists_error(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    return code in {
        "ResourceInUseException",
        "BucketAlreadyOwnedByYou",
        "BucketAlreadyExists",
        "QueueAlreadyExists",
        "ParameterAlreadyExists",
        "ResourceExistsException",
    }


def stream_specification(props: dict[str, Any]) -> dict[str, Any] | None:
    """A table's StreamSpecification as DynamoDB's API takes it (CloudFormation's has no StreamEnabled)."""
    spec = props.get("StreamSpecification")
    return {"StreamEnabled": True, "StreamViewType": spec["StreamViewType"]} if spec else None


def _enable_stream(dynamodb: Any, name: str, stream: dict[str, Any]) -> None:
    """Give an existing table its stream (one created before the template asked for it)."""
    current = dynamodb.describe_table(TableName=name)["Table"].get("StreamSpecification") or {}
    if not current.get("StreamEnabled"):
        dynamodb.update_table(TableName=name, StreamSpecification=stream)
    elif current.get("StreamViewType") != stream["StreamViewType"]:
        log.warning(
            "%s: its stream shows %s, the template asks for %s; disable the stream to change it",
            name,
            current.get("StreamViewType"),
            stream["StreamViewType"],
        )


def create_tables(template: Template, session: Any, *, streams: bool = True) -> None:
    """The template's tables; with `streams=False` their streams are left to `enable_streams`."""
    dynamodb = session.client("dynamodb")
    for logical_id in template.of_type("AWS::DynamoDB::Table"):
        props = template.properties(logical_id)
        name = template.physical_name(logical_id)
        request: dict[str, Any] = {k: props[k] for k in _TABLE_KEYS if k in props}
        request["BillingMode"] = props.get("BillingMode", "PAY_PER_REQUEST")
        if request["BillingMode"] == "PROVISIONED":
            request["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        stream = stream_specification(props) if streams else None
        if stream:
            request["StreamSpecification"] = stream
        try:
            dynamodb.create_table(TableName=name, **request)
        except ClientError as error:
            if not _exists_error(error):
                raise
            if stream:
                _enable_stream(dynamodb, name, stream)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)


def enable_streams(template: Template, session: Any) -> None:
    """Start the streams of tables created with `streams=False`: what was written before is not in them."""
    dynamodb = session.client("dynamodb")
    for logical_id in template.of_type("AWS::DynamoDB::Table"):
        stream = stream_specification(template.properties(logical_id))
        if stream:
            _enable_stream(dynamodb, template.physical_name(logical_id), stream)


def create_queues(template: Template, session: Any) -> None:
    sqs = session.client("sqs")
    pending = dict(template.of_type("AWS::SQS::Queue"))
    # Dead-letter queues first: a redrive policy names its DLQ's ARN.
    ordered = sorted(pending, key=lambda lid: "RedrivePolicy" in pending[lid].get("Properties", {}))
    for logical_id in ordered:
        props = template.properties(logical_id)
        name = template.physical_name(logical_id)
        attributes = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
            "MaximumMessageSize",
        ):
            if key in props:
                attributes[key] = str(props[key])
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        if name.endswith(".fifo") or props.get("FifoQueue"):
            attributes["FifoQueue"] = "true"
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        template.set_ref(logical_id, url)


def create_topics(template: Template, session: Any) -> None:
    sns = session.client("sns")
    for logical_id in template.of_type("AWS::SNS::Topic"):
        arn = sns.create_topic(Name=template.physical_name(logical_id))["TopicArn"]
        template.set_ref(logical_id, arn)


def create_subscriptions(template: Template, session: Any) -> None:
    """SNS subscriptions (to the template's queues), with their raw delivery and filter policy; an
    existing one gets the template's attributes again."""
    sns = session.client("sns")
    for logical_id in template.of_type("AWS::SNS::Subscription"):
        props = template.properties(logical_id)
        attributes = {"RawMessageDelivery": str(bool(props.get("RawMessageDelivery", False))).lower()}
        if "FilterPolicy" in props:
            attributes["FilterPolicy"] = json.dumps(props["FilterPolicy"])
            attributes["FilterPolicyScope"] = props.get("FilterPolicyScope", "MessageAttributes")
        arn = sns.subscribe(
            TopicArn=props["TopicArn"],
            Protocol=props["Protocol"],
            Endpoint=props["Endpoint"],
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        for name, value in attributes.items():
            sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName=name, AttributeValue=value)


def create_buckets(template: Template, session: Any) -> None:
    s3 = session.client("s3")
    for logical_id in template.of_type("AWS::S3::Bucket"):
        props = template.properties(logical_id)
        name = template.physical_name(logical_id)
        try:
            s3.create_bucket(Bucket=name)
        except ClientError as error:
            if not _exists_error(error):
                raise
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration=props.get(
                "PublicAccessBlockConfiguration",
                {
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            ),
        )
        versioning = props.get("VersioningConfiguration", {}).get("Status")
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
        rules = props.get("LifecycleConfiguration", {}).get("Rules", [])
        if rules:
            s3.put_bucket_lifecycle_configuration(
                Bucket=name,
                LifecycleConfiguration={"Rules": [lifecycle_rule(rule, bucket=logical_id) for rule in rules]},
            )
        queues = props.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
        if queues:
            s3.put_bucket_notification_configuration(
                Bucket=name,
                NotificationConfiguration={
                    "QueueConfigurations": [
                        {
                            "QueueArn": q["Queue"],
                            "Events": [q["Event"]],
                            **(
                                {
                                    "Filter": {
                                        "Key": {
                                            "FilterRules": [
                                                {"Name": rule["Name"], "Value": rule["Value"]}
                                                for rule in q["Filter"]["S3Key"]["Rules"]
                                            ]
                                        }
                                    }
                                }
                                if "Filter" in q
                                else {}
                            ),
                        }
                        for q in queues
                    ]
                },
            )


# A lifecycle rule as CloudFormation writes it -> as S3's API takes it. The emulator applies
# expirations (see eckolocal.emulator); transitions change storage classes, which mean nothing here.
_IGNORED_RULE_PROPERTIES = {"Transitions", "Transition", "NoncurrentVersionTransitions", "NoncurrentVersionTransition"}


def lifecycle_rule(rule: dict[str, Any], *, bucket: str = "") -> dict[str, Any]:
    api: dict[str, Any] = {"Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix") or ""}}
    if "Id" in rule:
        api["ID"] = rule["Id"]
    expiration: dict[str, Any] = {}
    if "ExpirationInDays" in rule:
        expiration["Days"] = int(rule["ExpirationInDays"])
    if "ExpirationDate" in rule:
        expiration["Date"] = rule["ExpirationDate"]
    if "ExpiredObjectDeleteMarker" in rule:
        expiration["ExpiredObjectDeleteMarker"] = str(rule["ExpiredObjectDeleteMarker"]).lower() == "true"
    if expiration:
        api["Expiration"] = expiration
    noncurrent = rule.get("NoncurrentVersionExpiration")
    if noncurrent is None and "NoncurrentVersionExpirationInDays" in rule:
        noncurrent = {"NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]}
    if noncurrent is not None:
        api["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(noncurrent["NoncurrentDays"])}
        if "NewerNoncurrentVersions" in noncurrent:
            log.warning(
                "%s: the local emulator keeps no NewerNoncurrentVersions (rule %s); it expires every "
                "noncurrent version",
                bucket,
                rule.get("Id"),
            )
    if "AbortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    unknown = (
        set(rule)
        - _IGNORED_RULE_PROPERTIES
        - {
            "Id",
            "Status",
            "Prefix",
            "ExpirationInDays",
            "ExpirationDate",
            "ExpiredObjectDeleteMarker",
            "NoncurrentVersionExpiration",
            "NoncurrentVersionExpirationInDays",
            "AbortIncompleteMultipartUpload",
        }
    )
    if unknown:
        log.warning("%s: lifecycle rule %s: %s not applied locally", bucket, rule.get("Id"), ", ".join(sorted(unknown)))
    return api


def create_parameters(template: Template, session: Any) -> None:
    ssm = session.client("ssm")
    for logical_id in template.of_type("AWS::SSM::Parameter"):
        props = template.properties(logical_id)
        try:
            ssm.put_parameter(Name=props["Name"], Value=str(props["Value"]), Type=props.get("Type", "String"))
        except ClientError as error:
            if not _exists_error(error):
                raise


def generated_secret(generate: dict[str, Any]) -> str:
    """What GenerateSecretString makes: a random password, or the template's JSON document with the
    password under GenerateStringKey."""
    length = int(generate.get("PasswordLength", 32))
    password = secrets.token_urlsafe(length)[:length]
    if "SecretStringTemplate" in generate:
        return json.dumps({**json.loads(generate["SecretStringTemplate"]), generate["GenerateStringKey"]: password})
    return password


def create_secrets(template: Template, session: Any) -> None:
    """Named secrets, with a value as GenerateSecretString gives (seeding may replace it)."""
    secretsmanager = session.client("secretsmanager")
    for logical_id in template.of_type("AWS::SecretsManager::Secret"):
        props = template.properties(logical_id)
        try:
            secretsmanager.create_secret(
                Name=template.physical_name(logical_id),
                SecretString=generated_secret(props.get("GenerateSecretString", {})),
            )
        except ClientError as error:
            if not _exists_error(error):
                raise


def create_distributions(template: Template, session: Any) -> None:
    """Each CloudFront distribution, disabled, so the cache invalidations functions ask for name a
    distribution that exists (the local CDN, `eckolocal.cdn`, serves its URLs); its id becomes
    the resource's Ref."""
    cloudfront = session.client("cloudfront")
    listed = cloudfront.list_distributions()["DistributionList"].get("Items", [])
    existing = {distribution["Comment"]: distribution["Id"] for distribution in listed}
    for logical_id in template.of_type("AWS::CloudFront::Distribution"):
        name = template.physical_name(logical_id)
        if name not in existing:
            origin = template.properties(logical_id)["DistributionConfig"]["Origins"][0]
            created = cloudfront.create_distribution(
                DistributionConfig={
                    "CallerReference": name,
                    "Comment": name,
                    "Enabled": False,
                    "Origins": {
                        "Quantity": 1,
                        "Items": [
                            {
                                "Id": origin["Id"],
                                "DomainName": origin["DomainName"],
                                "S3OriginConfig": {"OriginAccessIdentity": ""},
                            }
                        ],
                    },
                    "DefaultCacheBehavior": {"TargetOriginId": origin["Id"], "ViewerProtocolPolicy": "allow-all"},
                }
            )
            existing[name] = created["Distribution"]["Id"]
        template.set_ref(logical_id, existing[name])


def provision(template: Template, session: Any, *, streams: bool = True) -> None:
    """`streams=False` leaves the tables' streams to `enable_streams`, for data restored meanwhile."""
    create_queues(template, session)
    create_topics(template, session)
    create_subscriptions(template, session)
    create_tables(template, session, streams=streams)
    create_buckets(template, session)
    create_parameters(template, session)
    create_secrets(template, session)
    create_distributions(template, session)
