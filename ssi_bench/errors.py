"""The project's own exception types.

Every error a user can cause (a bad file, an unknown person, a locked database) is one of
these, with a message the user can act on. Anything else reaching a user is a bug.
"""

from __future__ import annotations


class SSIBenchError(Exception):
    """Base class: a known, user-facing error. ``str(error)`` is the message to show."""


class IngestError(SSIBenchError):
    """A file was refused as a whole (unreadable, ambiguous, too large, strict mode).

    Nothing was written when this is raised.
    """


class NotFoundError(SSIBenchError):
    """The person, upload, cohort or share link asked for does not exist (or has no data)."""


class DatabaseBusyError(SSIBenchError):
    """The database file is held by another process or cannot be opened safely."""


class AccessDeniedError(SSIBenchError):
    """An admin action was attempted without the admin password."""
