"""HTTP conventions shared by every API function: resolver, problem details, auth context, route
inputs. This package builds on the domain packages; none of them imports it."""
