"""App translations: UI message catalogues per locale, served with locale fallback."""
