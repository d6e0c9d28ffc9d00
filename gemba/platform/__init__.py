"""Plumbing every feature relies on and no user sees: the database and its transactions,
the data revision and the page cache, security headers, error pages and form helpers."""
