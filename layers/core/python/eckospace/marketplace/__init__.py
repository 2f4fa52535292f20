"""Marketplace: listings, their review, browsing and saved items."""
