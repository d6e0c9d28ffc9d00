"""Running an instance: consistent backups and their restore, the demo plant."""
