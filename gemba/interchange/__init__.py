"""Gemba JSON documents in and out: exports of a walk or a site (zips with photos) and
imports, all through the one write path."""
