"""API keys, usage plans, throttles and quotas, enforced as API Gateway does.

Usage plans come from the template and are created in the backend's API Gateway, as are API keys,
so operator tooling that manages keys with boto3 works the same locally and on AWS. Each request's
key is looked up (cached briefly), then a token bucket per key applies the plan's rate and burst,
and a counter per key and period applies its quota.
"""

from __future__ import annotations

import calendar
import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eckolocal.template import Template

log = logging.getLogger("eckolocal")


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    rate: float | None
    burst: int | None
    quota: int | None
    period: str | None  # DAY, WEEK or MONTH


@dataclass(frozen=True)
class KeyGrant:
    key_id: str
    plan: Plan


def ensure_usage_plans(template: Template, apigateway: Any) -> dict[str, str]:
    """Create (or find by name) each template usage plan in the backend; logical id -> plan id."""
    existing = {plan["name"]: plan for plan in apigateway.get_usage_plans(limit=500).get("items", [])}
    ids = {}
    for logical_id, props in template.usage_plans().items():
        name = props["UsagePlanName"]
        request = {"description": props.get("Description", "")}
        if "Throttle" in props:
            request["throttle"] = {
                "rateLimit": float(props["Throttle"]["RateLimit"]),
                "burstLimit": int(props["Throttle"]["BurstLimit"]),
            }
        if "Quota" in props:
            request["quota"] = {"limit": int(props["Quota"]["Limit"]), "period": props["Quota"]["Period"]}
        plan = existing.get(name)
        if plan is None:
            plan = apigateway.create_usage_plan(name=name, **request)
        elif plan.get("throttle") != request.get("throttle") or plan.get("quota") != request.get("quota"):
            # Parameters changed since the last run: start from the template's numbers again.
            apigateway.delete_usage_plan(usagePlanId=plan["id"])
            plan = apigateway.create_usage_plan(name=name, **request)
        ids[logical_id] = plan["id"]
    return ids


def ensure_api_key(apigateway: Any, *, name: str, value: str, plan_id: str) -> str:
    for key in apigateway.get_api_keys(nameQuery=name, includeValues=True, limit=500).get("items", []):
        if key["name"] == name and key.get("value") == value:
            key_id = key["id"]
            break
    else:
        key_id = apigateway.create_api_key(name=name, value=value, enabled=True)["id"]
    plan_keys = apigateway.get_usage_plan_keys(usagePlanId=plan_id, limit=500).get("items", [])
    if key_id not in {k["id"] for k in plan_keys}:
        apigateway.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")
    return key_id


class BackendUnavailable(Exception):
    """The local AWS backend does not answer (the local gateway says 503)."""


class KeyDirectory:
    """API key value -> (key id, plan), read from the backend and cached for `ttl` seconds, so keys
    created, disabled or moved between plans by operator tools take effect within that time."""

    def __init__(self, apigateway: Any, plan_ids: set[str], *, ttl: float = 5.0, miss_refresh: float = 1.0) -> None:
        self._apigateway = apigateway
        self._plan_ids = plan_ids
        self._ttl = ttl
        self._miss_refresh = miss_refresh
        self._grants: dict[str, KeyGrant] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def _load(self) -> None:
        keys = {k["id"]: k for k in self._apigateway.get_api_keys(includeValues=True, limit=500).get("items", [])}
        grants: dict[str, KeyGrant] = {}
        for raw in self._apigateway.get_usage_plans(limit=500).get("items", []):
            if raw["id"] not in self._plan_ids:
                continue
            throttle, quota = raw.get("throttle") or {}, raw.get("quota") or {}
            plan = Plan(
                id=raw["id"],
                name=raw["name"],
                rate=throttle.get("rateLimit"),
                burst=throttle.get("burstLimit"),
                quota=quota.get("limit"),
                period=quota.get("period"),
            )
            for plan_key in self._apigateway.get_usage_plan_keys(usagePlanId=raw["id"], limit=500).get("items", []):
                key = keys.get(plan_key["id"])
                if key and key.get("enabled", True) and key.get("value"):
                    grants[key["value"]] = KeyGrant(key_id=key["id"], plan=plan)
        self._grants = grants
        self._loaded_at = time.monotonic()

    def cached(self, value: str) -> KeyGrant | None | bool:
        """The grant from the cache when that answer is current; False when the backend must be
        asked (call `lookup` off the event loop then)."""
        age = time.monotonic() - self._loaded_at
        if age > self._ttl:
            return False
        grant = self._grants.get(value)
        # An unknown key may be one an operator just created: look again, at most once a second.
        return False if grant is None and age > self._miss_refresh else grant

    def lookup(self, value: str | None) -> KeyGrant | None:
        """Blocking (it may call the backend): run it off the event loop. When the backend cannot
        be asked, the keys known last keep working (as API Gateway's would); with none known yet,
        BackendUnavailable."""
        if not value:
            return None
        with self._lock:
            if self.cached(value) is False:
                try:
                    self._load()
                except Exception as error:
                    if self._loaded_at == float("-inf"):
                        raise BackendUnavailable("the AWS backend holding API keys does not answer") from error
                    log.warning("API keys could not be read again (%s): using those read last", error)
                    self._loaded_at = time.monotonic()  # ask again after the cache time, not every request
            return self._grants.get(value)


def period_end(period: str, now: datetime) -> datetime:
    """When the current quota period ends (API Gateway counts in UTC)."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "DAY":
        return day + timedelta(days=1)
    if period == "WEEK":
        return day + timedelta(days=7 - day.weekday())
    last = calendar.monthrange(now.year, now.month)[1]
    return day.replace(day=1) + timedelta(days=last)


class RateLimiter:
    """Token bucket per key (rate, burst) and a quota counter per key and period."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, last refill)
        self._quota_used: dict[tuple[str, datetime], int] = {}

    def check(self, grant: KeyGrant, *, now: float | None = None) -> tuple[str, int] | None:
        """None when the request may pass, else ("THROTTLED" | "QUOTA_EXCEEDED", retry after seconds)."""
        plan = grant.plan
        moment = time.monotonic() if now is None else now
        if plan.rate is not None and plan.burst is not None:
            capacity = max(1.0, float(plan.burst))
            tokens, last = self._buckets.get(grant.key_id, (capacity, moment))
            tokens = min(capacity, tokens + (moment - last) * plan.rate)
            if tokens < 1.0:
                self._buckets[grant.key_id] = (tokens, moment)
                wait = (1.0 - tokens) / plan.rate if plan.rate > 0 else 60.0
                return "THROTTLED", max(1, math.ceil(wait))
            self._buckets[grant.key_id] = (tokens - 1.0, moment)
        if plan.quota is not None and plan.period:
            wall = datetime.now(UTC)
            end = period_end(plan.period, wall)
            counter = (grant.key_id, end)
            used = self._quota_used.get(counter, 0)
            if used >= plan.quota:
                return "QUOTA_EXCEEDED", max(1, math.ceil((end - wall).total_seconds()))
            self._quota_used[counter] = used + 1
        return None
