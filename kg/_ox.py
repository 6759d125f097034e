"""Moving triples between rdflib, N-Triples text and pyoxigraph, keeping kg's lexical forms.

pyoxigraph is what makes large graphs fast: it parses N-Triples, stores quads and writes
Turtle, N-Triples, TriG and N-Quads natively. One thing has to be put right on the way out: a
pyoxigraph ``Store`` keeps numbers by value, so the ``"4.0"^^xsd:decimal`` kg writes comes back
as ``"4"``. :func:`restore` maps every xsd:decimal read from a store back to the form
:func:`kg.graph.decimal_literal` gives its value, so a graph read from a store is the graph kg
built, term for term.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

__all__ = [
    "FORMATS",
    "UNION",
    "ToRdflib",
    "graph_triples",
    "nt_term",
    "restore",
    "serialize_triples",
    "to_ox",
    "union_triples",
    "dump_default_graph",
    "fill_graph",
    "fill_dataset",
    "write_rdf",
]

#: kg's format names → pyoxigraph formats (JSON-LD goes through rdflib).
FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
#: Every triple of every named graph, each once.
UNION = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = str(XSD.string)
_XSD_DECIMAL = str(XSD.decimal)
_OX_DECIMAL = ox.NamedNode(_XSD_DECIMAL)


def nt_term(term: Any) -> str:
    """One rdflib term in N-Triples syntax, with exactly the lexical form rdflib holds."""
    if type(term) is URIRef:
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = str(term).translate(_ESCAPES)
        if term.language:
            return f'"{lexical}"@{term.language}'
        if term.datatype is None or term.datatype == _XSD_STRING:
            return f'"{lexical}"'
        return f'"{lexical}"^^<{term.datatype}>'
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"cannot write {term!r} as N-Triples")


def to_ox(term: Any) -> Any:
    """One rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None:
            return ox.Literal(str(term))
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot convert {term!r} to pyoxigraph")


def _kg_decimal(lexical: str, cache: dict[str, str] = {}) -> str:  # noqa: B006 (a deliberate memo)
    text = cache.get(lexical)
    if text is None:
        from .graph import decimal_lexical

        try:
            text = decimal_lexical(Decimal(lexical))
        except InvalidOperation:
            text = lexical
        if len(cache) < 100_000:
            cache[lexical] = text
    return text


def restore(term: Any) -> Any:
    """A pyoxigraph term read from a Store, with an xsd:decimal back in kg's lexical form."""
    if type(term) is ox.Literal and term.datatype == _OX_DECIMAL:
        text = _kg_decimal(term.value)
        if text != term.value:
            return ox.Literal(text, datatype=_OX_DECIMAL)
    return term


class ToRdflib:
    """pyoxigraph terms → rdflib terms (decimals restored), remembering IRIs: they repeat a lot."""

    def __init__(self) -> None:
        self._iris: dict[str, URIRef] = {}

    def __call__(self, term: Any) -> Any:
        if type(term) is ox.NamedNode:
            value = term.value
            iri = self._iris.get(value)
            if iri is None:
                iri = self._iris[value] = URIRef(value)
            return iri
        if type(term) is ox.Literal:
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == _XSD_STRING:
                return Literal(term.value)
            if datatype == _XSD_DECIMAL:
                return Literal(_kg_decimal(term.value), datatype=XSD.decimal)
            return Literal(term.value, datatype=URIRef(datatype))
        if type(term) is ox.BlankNode:
            return BNode(term.value)
        raise TypeError(f"cannot convert {term!r} to rdflib")


def fill_graph(graph: Any, triples: Iterable[Any]) -> Any:
    """Add pyoxigraph triples (or quads, graph name ignored) to an rdflib Graph; return it."""
    convert = ToRdflib()
    add = graph.add
    for triple in triples:
        add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
    return graph


def fill_dataset(dataset: Any, quads: Iterable[ox.Quad]) -> Any:
    """Add pyoxigraph quads to an rdflib Dataset, one named graph per graph name; return it."""
    from rdflib import URIRef

    convert = ToRdflib()
    graphs: dict[str, Any] = {}
    for quad in quads:
        name = quad.graph_name.value
        named = graphs.get(name)
        if named is None:
            named = graphs[name] = dataset.graph(URIRef(name))
        named.add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))
    return dataset


def write_rdf(source: Any, destination: Any, format_name: str, prefixes: dict[str, str]) -> None:
    """Write ``source`` (anything with ``quads()``, ``triples()`` and ``graph()``) in a kg format.

    TriG and N-Quads keep the named graphs, Turtle and N-Triples write the union, both through
    pyoxigraph; JSON-LD goes through rdflib. ``destination`` is a path or a binary stream.
    """
    if format_name in ("trig", "nquads"):
        serialize_triples(source.quads(), destination, format_name, prefixes)
    elif format_name in ("turtle", "nt"):
        serialize_triples(source.triples(), destination, format_name, prefixes)
    else:
        data = source.graph().serialize(format=format_name, encoding="utf-8")
        if hasattr(destination, "write"):
            destination.write(data)
        else:
            Path(destination).write_bytes(data)


def union_triples(store: ox.Store, *, named: bool = True) -> Iterator[ox.Triple]:
    """The union graph of ``store`` (every named graph, or the default graph), decimals restored."""
    if named:
        triples: Iterable[Any] = store.query(UNION)
    else:
        triples = (quad.triple for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for triple in triples:
        obj = triple.object
        if type(obj) is ox.Literal and obj.datatype == _OX_DECIMAL:
            fixed = restore(obj)
            if fixed is not obj:
                triple = ox.Triple(triple.subject, triple.predicate, fixed)
        yield triple


#: The end of a decimal literal as a store writes it, per format.
_DECIMAL_END = {"turtle": b'"^^xsd:decimal', "nt": b'"^^<http://www.w3.org/2001/XMLSchema#decimal>'}
_INTEGER = re.compile(rb"-?[0-9]+")


def dump_default_graph(store: ox.Store, format_name: str, prefixes: dict[str, str]) -> bytes:
    """The default graph of ``store`` as Turtle or N-Triples, written by Oxigraph in one go.

    Much faster than iterating the triples in Python. The one thing to put right is the form of
    integral decimals, which a store writes as ``"4"`` where kg writes ``"4.0"`` (see
    :func:`restore`); that is done on the bytes. A literal's own quotes are escaped in both
    formats, so an unescaped ``"`` after a space always opens a literal.
    """
    end = _DECIMAL_END[format_name]
    data = store.dump(None, format=FORMATS[format_name], from_graph=ox.DefaultGraph(), prefixes=prefixes if format_name == "turtle" else None)
    parts = data.split(end)
    out = []
    for part in parts[:-1]:
        quote = part.rfind(b'"')
        integral = quote > 0 and part[quote - 1 : quote] == b" " and _INTEGER.fullmatch(part, quote + 1)
        out.append(part + b".0" + end if integral else part + end)
    out.append(parts[-1])
    return b"".join(out)


def graph_triples(store: ox.Store, graph: Any) -> Iterator[ox.Triple]:
    """The triples of one graph of ``store``, decimals restored."""
    for quad in store.quads_for_pattern(None, None, None, graph):
        yield ox.Triple(quad.subject, quad.predicate, restore(quad.object))


def dataset_quads(store: ox.Store, graphs: Iterable[Any] | None = None) -> Iterator[ox.Quad]:
    """The quads of ``store`` (or of ``graphs`` only), decimals restored."""
    sources = [store.quads_for_pattern(None, None, None, g) for g in graphs] if graphs is not None else [store]
    for quads in sources:
        for quad in quads:
            obj = quad.object
            if type(obj) is ox.Literal and obj.datatype == _OX_DECIMAL:
                fixed = restore(obj)
                if fixed is not obj:
                    quad = ox.Quad(quad.subject, quad.predicate, fixed, quad.graph_name)
            yield quad


def serialize_triples(
    triples: Iterable[Any],
    destination: str | os.PathLike[str] | IO[bytes] | None,
    format_name: str,
    prefixes: dict[str, str] | None = None,
) -> bytes | None:
    """Write triples or quads with pyoxigraph; prefixes are used where the format has them."""
    fmt = FORMATS[format_name]
    if format_name in ("turtle", "trig") and prefixes:
        return ox.serialize(triples, destination, fmt, prefixes=prefixes)
    return ox.serialize(triples, destination, fmt)
