"""`make bench`: performance figures for the budgets in DESIGN.md, each measured beside its peer.

Run as `python -m bench` from the repository root (PYTHONPATH=infra/local:layers/core/python).
Writes bench/results.json and bench/results.md; nothing here asserts, it only measures.
"""
