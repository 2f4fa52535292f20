"""Operate integrations (OAuth clients and their API keys):

  integrations.py create --name "Acme CRM" --scopes "translations:read posts:read" --tier standard
  integrations.py list
  integrations.py disable|enable --client-id ekc_...
  integrations.py rotate-secret --client-id ekc_... [--overlap-hours 24]
  integrations.py rotate-key --client-id ekc_... [--overlap-hours 24]

Against the running local stack by default; `--env staging` (with AWS credentials) works on a
deployed environment. Secrets and key values are printed once and stored only as hashes (secrets)
or in API Gateway (keys).
"""

from __future__ import annotations

import argparse
import json

from _backend import table_name, use_local_stack_if_running


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "action",
        choices=["create", "list", "disable", "enable", "first-party", "third-party", "rotate-secret", "rotate-key"],
    )
    parser.add_argument("--env", default="dev")
    parser.add_argument("--client-id")
    parser.add_argument("--name")
    parser.add_argument("--scopes", default="", help="the scopes it may request (space separated)")
    parser.add_argument("--default-scopes", help="granted when it asks for none (default: --scopes)")
    parser.add_argument("--tier", default="standard", choices=["free", "standard", "partner"])
    parser.add_argument("--overlap-hours", type=float, default=24.0)
    parser.add_argument(
        "--first-party",
        action="store_true",
        help="the platform's own back end: may receive users' wallet and payment events",
    )
    args = parser.parse_args()
    local = use_local_stack_if_running()

    from eckospace.identity import api_keys, integrations, settings

    settings.INTEGRATIONS_TABLE.provide(table_name("IntegrationsTable", args.env, local=local))
    if args.action == "list":
        for item in integrations.list_all():
            print(
                json.dumps(
                    {
                        "client_id": item.client_id,
                        "name": item.name,
                        "tier": item.tier,
                        "enabled": item.enabled,
                        "first_party": item.first_party,
                        "allowed_scopes": sorted(item.allowed_scopes),
                        "api_key_id": item.api_key_id,
                    }
                )
            )
        return
    if args.action == "create":
        if not args.name or not args.scopes:
            parser.error("create needs --name and --scopes")
        scopes = set(args.scopes.split())
        key_id, key_value = api_keys.create(name=args.name, plan=api_keys.plan_id(args.env, args.tier))
        integration, secret = integrations.register(
            name=args.name,
            allowed_scopes=scopes,
            default_scopes=set((args.default_scopes or args.scopes).split()),
            tier=args.tier,
            api_key_id=key_id,
            first_party=args.first_party,
        )
        print(json.dumps({"client_id": integration.client_id, "client_secret": secret, "api_key": key_value}))
        return
    if not args.client_id:
        parser.error(f"{args.action} needs --client-id")
    if args.action in ("disable", "enable"):
        integration = integrations.set_enabled(args.client_id, args.action == "enable")
        print(json.dumps({"client_id": integration.client_id, "enabled": integration.enabled}))
    elif args.action in ("first-party", "third-party"):
        integration = integrations.set_first_party(args.client_id, args.action == "first-party")
        print(json.dumps({"client_id": integration.client_id, "first_party": integration.first_party}))
    elif args.action == "rotate-secret":
        integration, secret = integrations.rotate_secret(args.client_id, overlap_seconds=int(args.overlap_hours * 3600))
        print(
            json.dumps(
                {
                    "client_id": integration.client_id,
                    "client_secret": secret,
                    "previous_secret_valid_for_hours": args.overlap_hours,
                }
            )
        )
    else:  # rotate-key: a new key on the same plan; the scheduled retirement disables the old one
        integration = integrations.get(args.client_id)
        if integration is None or not integration.api_key_id:
            raise SystemExit(f"{args.client_id} has no API key to rotate")
        key_id, key_value = api_keys.create(
            name=integration.name, plan=api_keys.plan_of(integration.api_key_id, args.env)
        )
        rotated = integrations.rotate_api_key(
            args.client_id, new_key_id=key_id, overlap_seconds=int(args.overlap_hours * 3600)
        )
        print(
            json.dumps(
                {
                    "client_id": rotated.client_id,
                    "api_key": key_value,
                    "previous_api_key_id": rotated.retiring_api_key_id,
                    "previous_api_key_retired_at": rotated.retire_api_key_at,
                }
            )
        )


if __name__ == "__main__":
    main()
