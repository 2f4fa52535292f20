"""Analytics: what people view and click, counted privately.

Clients send batches of typed events (`events.py`); the ingest route checks each one and queues the
good ones (`ingest.py`). A worker (`aggregation.py`) folds them, exactly once per event, into hourly
and daily counters per object, per owner and for the platform, with an exact count of the distinct
people behind each counter, and lands the raw events in S3 for ad-hoc queries (`raw.py`). People
appear only as pseudonyms that change every UTC day (`visitors.py`). Reports (`reports.py`) show
closed calendar buckets alone and hide any bucket fewer than the minimum crowd of people made.
"""
