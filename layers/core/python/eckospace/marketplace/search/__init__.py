"""Keyword search over published listings and jobs, each kind on a tantivy index of its own kept in
S3 (`documents`, `index`), fed from the marketplace table's stream (`feed`), searched by `query`."""
