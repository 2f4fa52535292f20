"""HTTP conventions shared by every API function: resolver, errors, auth context, pagination."""
