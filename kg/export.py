"""Write graphs: Turtle, N-Triples, JSON-LD, TriG, N-Quads — always atomically.

``serialize(graph, "turtle")`` returns text; with a ``destination`` it writes through a
temporary file in the same folder and renames it into place, so a crash never leaves a
half-written graph behind. The formats, and the writing itself, live in :mod:`kg.rdfio`;
this module is the public name of its writers.
"""

from __future__ import annotations

from .rdfio import FORMATS, atomic_write, format_for_path, serialize, write_output

__all__ = ["FORMATS", "serialize", "atomic_write", "format_for_path", "write_output"]
