"""The one exception root of kg and its few subclasses.

    KGError                 anything kg raises on purpose
    ├── InputError          a file or path we cannot read (missing, empty, binary, undecodable)
    ├── OutputError         a file or folder we cannot write
    ├── GraphParseError     an RDF file (graph, shapes) that does not parse
    ├── QueryError          a SPARQL query that does not parse or cannot run
    │   └── QueryTimeout    … or that ran past its time limit
    ├── ValidationError     a graph that breaks the SHACL shapes
    ├── EndpointError       a remote SPARQL / Graph Store endpoint that refused or is down
    ├── UsageError          options that do not fit together
    └── PipelineError       pipeline components that are unknown, left out or out of order

Every message names the bad input and, where there is one, the fix.
"""

from __future__ import annotations

__all__ = [
    "KGError",
    "InputError",
    "OutputError",
    "GraphParseError",
    "QueryError",
    "QueryTimeout",
    "ValidationError",
    "EndpointError",
    "UsageError",
    "PipelineError",
    "write_failure",
]


class KGError(Exception):
    """Root of every error kg raises on purpose."""


class InputError(KGError):
    """An input path that cannot be read as text: missing, empty, binary or undecodable."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class OutputError(KGError):
    """An output path that cannot be written: a file where a folder should be, no permission …"""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class GraphParseError(KGError):
    """An RDF file that does not parse; the message carries file, line and column when known."""

    #: The file, and the 1-based line and column of the error, when known (set where it is raised).
    path: str | None = None
    line: int | None = None
    column: int | None = None


class QueryError(KGError):
    """A SPARQL query that does not parse or fails to run."""

    #: The 1-based line and column of a syntax error in the query, when known.
    line: int | None = None
    column: int | None = None


class QueryTimeout(QueryError):
    """A query that ran past its time limit."""


class ValidationError(KGError):
    """A graph that does not conform to the SHACL shapes."""


class EndpointError(KGError):
    """A remote endpoint that refused a request or could not be reached."""


class UsageError(KGError):
    """Command options or arguments that do not fit together."""


class PipelineError(KGError):
    """Pipeline components that cannot run as listed: unknown, left out, listed twice or out of order."""


#: Words of the operating system, SQLite and RocksDB for a write that found no room.
_NO_ROOM = ("no space left", "file too large", "disk is full", "disk i/o error", "quota exceeded")


def write_failure(error: BaseException) -> str:
    """Why a write failed, in the system's words, with the likely cause when the disk is full
    or a file size limit was reached (SQLite says only "disk I/O error" then)."""
    import errno

    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    if getattr(error, "errno", None) in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or any(
        words in str(error).lower() for words in _NO_ROOM
    ):
        reason += ": the disk is full or a file size limit was reached; free some space and run it again"
    return reason
