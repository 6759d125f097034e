"""Write graphs: Turtle, N-Triples, JSON-LD, TriG, N-Quads — always atomically.

``serialize(graph, "turtle")`` returns text; with a ``destination`` it writes through a
temporary file in the same folder and renames it into place, so a crash never leaves a
half-written graph behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from rdflib import Dataset, Graph

from .errors import OutputError, UsageError, write_failure

__all__ = ["FORMATS", "SUFFIX", "serialize", "atomic_write", "format_for_path"]

#: Format name → rdflib serializer name. TriG and N-Quads keep one named graph per article.
FORMATS: dict[str, str] = {
    "turtle": "turtle",
    "ttl": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "trig": "trig",
    "nquads": "nquads",
    "nq": "nquads",
}
SUFFIX: dict[str, str] = {"turtle": ".ttl", "nt": ".nt", "json-ld": ".jsonld", "trig": ".trig", "nquads": ".nq"}
NAMED_GRAPH_FORMATS = frozenset({"trig", "nquads"})


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The rdflib format name for a file suffix (.ttl, .nt, .jsonld, .trig, .nq)."""
    suffix = Path(path).suffix.lower()
    for name, known in SUFFIX.items():
        if suffix == known:
            return name
    if suffix == ".json":
        return "json-ld"
    return "turtle"


def _resolve(format_name: str) -> str:
    try:
        return FORMATS[format_name.lower()]
    except KeyError:
        raise UsageError(
            f"unknown format {format_name!r}; choose one of {', '.join(sorted(set(FORMATS)))}"
        ) from None


def atomic_write(destination: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(temp_path)`` then rename the temporary file onto ``destination``."""
    target = Path(destination)
    if target.is_dir():
        raise OutputError(str(target), "is a folder; remove it or write somewhere else")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        blocker = next((p for p in (target.parent, *target.parent.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise OutputError(str(target), f"{blocker} is a file, not a folder") from None
        raise OutputError(str(target), f"cannot write here ({error.strerror or error})") from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        kept = "the earlier file is left as it was" if target.exists() else "nothing was written"
        raise OutputError(str(target), f"cannot be written ({write_failure(error)}); {kept}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def serialize(
    graph: Graph | Dataset, format_name: str = "turtle", destination: str | os.PathLike[str] | None = None
) -> str | Path:
    """Serialise ``graph``; return the text, or write it atomically and return the path."""
    rdflib_format = _resolve(format_name)
    if rdflib_format in NAMED_GRAPH_FORMATS and not isinstance(graph, Dataset):
        raise UsageError(f"format {format_name!r} needs a dataset with one graph per article; build with named graphs")
    if destination is None:
        return graph.serialize(format=rdflib_format)

    def write(temp: Path) -> None:
        graph.serialize(destination=str(temp), format=rdflib_format, encoding="utf-8")

    return atomic_write(destination, write)
