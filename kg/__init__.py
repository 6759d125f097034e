"""kg — Chinese industrial-park news in, RDF knowledge graph out.

    >>> import kg
    >>> graph = kg.build(["seeds/"])          # doctest: +SKIP
    >>> kg.serialize(graph, "turtle", "out/graph.ttl")  # doctest: +SKIP

The flow: paths → :mod:`kg.corpus` → Document → :mod:`kg.extract` (mentions) →
:mod:`kg.resolve` (entities) → relations and metrics → :mod:`kg.graph` (rdflib) →
:mod:`kg.export` / :mod:`kg.validate` / :mod:`kg.viz`. Heavy modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "build",
    "build_corpus",
    "read_document",
    "extract_document",
    "serialize",
    "KGError",
    "InputError",
    "OutputError",
    "GraphParseError",
    "QueryError",
    "ValidationError",
    "EndpointError",
    "UsageError",
]

from .errors import (
    EndpointError,
    GraphParseError,
    InputError,
    KGError,
    OutputError,
    QueryError,
    UsageError,
    ValidationError,
)

_LAZY = {
    "build": ("kg.builder", "build"),
    "build_corpus": ("kg.builder", "build_corpus"),
    "read_document": ("kg.corpus", "read_document"),
    "extract_document": ("kg.pipeline", "extract_document"),
    "serialize": ("kg.export", "serialize"),
}

if TYPE_CHECKING:  # pragma: no cover
    from .builder import build, build_corpus
    from .corpus import read_document
    from .export import serialize
    from .pipeline import extract_document


def __getattr__(name: str) -> Any:
    """Import the public functions on first use, so ``import kg`` stays instant."""
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
