"""Keyword search over published listings, on a tantivy index kept in S3 (`index`), fed from the
marketplace table's stream (`feed`), searched by `query`."""
