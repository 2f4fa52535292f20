"""Identity and access: scopes, signing keys, access tokens and the authorizer's checks."""
