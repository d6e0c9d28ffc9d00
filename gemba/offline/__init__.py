"""Offline capture: an installable app shell that queues records in the browser and syncs them."""
