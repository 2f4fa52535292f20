"""The platform itself: what this deployment offers (modules, routes, scopes)."""
