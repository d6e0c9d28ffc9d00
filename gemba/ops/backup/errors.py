"""Why a backup or restore failed, said so a person can act on it.

A failed backup or restore is reported as one sentence (what could not be done,
and why) instead of a traceback: the person running `flask backup` on a full
disk should read "the disk is full", not an errno.
"""

from __future__ import annotations

import errno


class BackupError(Exception):
    """A backup or restore could not be done; the message says why, for a person."""


def explain(action: str, exc: BaseException) -> BackupError:
    """Turn an OS or database error into a sentence a person can act on."""
    number = getattr(exc, "errno", None)
    if number == errno.ENOSPC or "disk is full" in str(exc) or "No space left" in str(exc):
        reason = "the disk is full"
    elif number in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "permission denied (the folder is not writable)"
    elif number in (errno.ENOTDIR, errno.EEXIST):  # EEXIST: mkdir found a file in the way
        reason = "a part of the path is a file, not a folder"
    else:
        reason = getattr(exc, "strerror", None) or str(exc)
    return BackupError(f"{action}: {reason}.")
