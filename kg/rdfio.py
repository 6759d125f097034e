"""RDF in and out, in one place: formats, prefixes, terms, loading and writing.

Every command and the store read and write RDF through this module:

- :data:`FORMATS` names each RDF format once (canonical name, the aliases people type,
  file suffixes, media type, the rdflib and pyoxigraph format ids); :func:`rdf_format`
  resolves a name, :func:`guess_format` a file suffix (as rdflib's ``guess_format`` does).
  :data:`RESULT_FORMATS` does the same for SPARQL results (json, xml, csv, tsv, table).
- :func:`prefix_map` and :data:`PREFIXES` are the prefixes kg writes and queries with.
- :func:`to_ox` and :class:`ToRdflib` move terms between rdflib and pyoxigraph. A pyoxigraph
  ``Store`` keeps numbers by value, so the ``"4.0"^^xsd:decimal`` kg writes comes back as
  ``"4"``: :func:`restore` maps every xsd:decimal read from a store back to the form
  :func:`kg.graph.decimal_literal` gives its value, so a graph read from a store is the graph
  kg built, term for term.
- :func:`load_store` (Oxigraph) and :func:`load_graph` (rdflib) read one or several files,
  ``-`` for standard input, or a store folder, with errors that name the file, line and column.
- :func:`atomic_write`, :func:`serialize` and :func:`write_output` write files through a
  temporary file renamed into place (``-`` is standard output), so a crash never leaves a
  half-written graph behind.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import warnings
import xml.sax
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Union

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Identifier

from .errors import GraphParseError, InputError, OutputError, UsageError, write_failure
from .ontology import DEFAULT_BASE_IRI, KG_NS, ORG, PROV, QUDT, SCHEMA, UNIT, instance_prefixes

__all__ = [
    "FORMATS",
    "PREFIXES",
    "RESULT_FORMATS",
    "STDIO",
    "UNION",
    "VOCABULARIES",
    "Format",
    "ResultFormat",
    "ToRdflib",
    "atomic_write",
    "check_readable",
    "construct",
    "dataset_quads",
    "dump_default_graph",
    "fill_dataset",
    "fill_graph",
    "format_for_path",
    "graph_triples",
    "guess_format",
    "load_graph",
    "load_store",
    "nt_term",
    "ox_format",
    "ox_store",
    "oxigraph_parse_error",
    "parse_rdf",
    "prefix_map",
    "rdf_format",
    "restore",
    "result_format",
    "select",
    "serialize",
    "serialize_triples",
    "to_ox",
    "to_rdflib",
    "union_triples",
    "write_output",
    "write_rdf",
]


# ---------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Format:
    """One RDF format: the names people give it and the ids rdflib and pyoxigraph use."""

    name: str
    """kg's canonical name (``turtle``, ``nt``, ``nquads``, ``trig``, ``json-ld``, ``xml``, ``n3``)."""
    label: str
    """Its name in messages (``N-Triples``)."""
    aliases: tuple[str, ...]
    """Other names accepted for it (``ttl``, ``ntriples`` …)."""
    suffixes: tuple[str, ...]
    """File suffixes, the one kg writes first."""
    media_type: str
    rdflib: str
    """The rdflib plugin name."""
    oxigraph: str
    """The :class:`pyoxigraph.RdfFormat` attribute."""
    named_graphs: bool = False
    """kg writes one named graph per article in it (TriG, N-Quads)."""
    datasets: bool = False
    """A file of this format may hold named graphs (read into a Dataset and merged)."""

    @property
    def suffix(self) -> str:
        return self.suffixes[0]


#: Every RDF format kg reads or writes, by canonical name.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", "Turtle", ("ttl",), (".ttl", ".turtle"), "text/turtle", "turtle", "TURTLE"),
        Format(
            "nt",
            "N-Triples",
            ("ntriples", "n-triples"),
            (".nt", ".ntriples"),
            "application/n-triples",
            "nt",
            "N_TRIPLES",
        ),
        Format(
            "nquads",
            "N-Quads",
            ("nq", "n-quads"),
            (".nq", ".nquads"),
            "application/n-quads",
            "nquads",
            "N_QUADS",
            True,
            True,
        ),
        Format("trig", "TriG", (), (".trig",), "application/trig", "trig", "TRIG", True, True),
        Format(
            "json-ld",
            "JSON-LD",
            ("jsonld",),
            (".jsonld", ".json"),
            "application/ld+json",
            "json-ld",
            "JSON_LD",
            False,
            True,
        ),
        Format(
            "xml",
            "RDF/XML",
            ("rdfxml", "rdf/xml", "rdf", "owl"),
            (".rdf", ".owl", ".xml"),
            "application/rdf+xml",
            "xml",
            "RDF_XML",
        ),
        Format("n3", "N3", (), (".n3",), "text/n3", "n3", "N3"),
    )
}
_BY_NAME: dict[str, Format] = {alias: f for f in FORMATS.values() for alias in (f.name, *f.aliases)}
_BY_SUFFIX: dict[str, Format] = {suffix: f for f in FORMATS.values() for suffix in f.suffixes}
_QUAD_PARSERS = frozenset(f.rdflib for f in FORMATS.values() if f.datasets)


@dataclass(frozen=True)
class ResultFormat:
    """One SPARQL results format (or kg's text table)."""

    name: str
    aliases: tuple[str, ...]
    suffixes: tuple[str, ...]
    media_type: str
    oxigraph: str | None
    """The :class:`pyoxigraph.QueryResultsFormat` attribute (None: the table, kg's own)."""


#: SPARQL results formats by canonical name; ``table`` is the text table for people.
RESULT_FORMATS: dict[str, ResultFormat] = {
    f.name: f
    for f in (
        ResultFormat("table", ("text", "txt"), (".txt",), "text/plain; charset=utf-8", None),
        ResultFormat("json", ("srj", "sparql-json"), (".srj", ".json"), "application/sparql-results+json", "JSON"),
        ResultFormat("xml", ("srx", "sparql-xml"), (".srx", ".xml"), "application/sparql-results+xml", "XML"),
        ResultFormat("csv", (), (".csv",), "text/csv; charset=utf-8", "CSV"),
        ResultFormat("tsv", (), (".tsv",), "text/tab-separated-values; charset=utf-8", "TSV"),
    )
}
_RESULT_BY_NAME = {alias: f for f in RESULT_FORMATS.values() for alias in (f.name, *f.aliases)}
_RESULT_BY_SUFFIX = {suffix: f for f in RESULT_FORMATS.values() for suffix in f.suffixes}

#: The name that means standard input or output.
STDIO = "-"


def _known(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def rdf_format(name: str | Format) -> Format:
    """The RDF format called ``name`` (any alias, any case); :class:`UsageError` if none is."""
    if isinstance(name, Format):
        return name
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        raise UsageError(f"unknown RDF format {name!r}; choose one of {_known(_BY_NAME)}") from None


def result_format(name: str) -> ResultFormat:
    """The SPARQL results format called ``name``; :class:`UsageError` if none is."""
    try:
        return _RESULT_BY_NAME[name.lower()]
    except KeyError:
        raise UsageError(f"unknown results format {name!r}; choose one of {_known(_RESULT_BY_NAME)}") from None


def guess_format(path: str | os.PathLike[str], *, results: bool = False) -> Format | ResultFormat | None:
    """The format of a file by its suffix (RDF, or SPARQL results with ``results``), or None."""
    suffix = Path(path).suffix.lower()
    if results and suffix in _RESULT_BY_SUFFIX:
        return _RESULT_BY_SUFFIX[suffix]
    return _BY_SUFFIX.get(suffix)


def format_for_path(path: str | os.PathLike[str], default: str = "turtle") -> str:
    """The canonical RDF format name for a file suffix (.ttl, .nt, .jsonld, .trig, .nq …)."""
    known = guess_format(path)
    return known.name if isinstance(known, Format) else default


def ox_format(name: str | Format) -> ox.RdfFormat:
    """The :class:`pyoxigraph.RdfFormat` of a format name or :class:`Format`."""
    return getattr(ox.RdfFormat, rdf_format(name).oxigraph)


def _label(rdflib_name: str) -> str:
    return next((f.label for f in FORMATS.values() if f.rdflib == rdflib_name), rdflib_name)


def _file_format(path: str | os.PathLike[str], given: str | Format | None) -> Format:
    """``given``, else the format of ``path`` by its suffix; Turtle for standard input."""
    if given is not None:
        return rdf_format(given)
    if os.fspath(path) == STDIO:
        return FORMATS["turtle"]
    known = guess_format(path)
    if not isinstance(known, Format):
        suffix = Path(path).suffix.lower()
        raise InputError(
            str(path), f"unknown RDF file suffix {suffix!r}; use one of {_known(_BY_SUFFIX)} or give --input-format"
        )
    return known


# ---------------------------------------------------------------------------------------
# Prefixes
# ---------------------------------------------------------------------------------------
#: The vocabularies kg uses, by prefix, in the order the README lists them.
VOCABULARIES: dict[str, str] = {
    "kg": KG_NS,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": "http://purl.org/dc/terms/",
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "qudt": str(QUDT),
    "unit": str(UNIT),
    "quantitykind": "http://qudt.org/vocab/quantitykind/",
    "sh": str(SH),
    "kgsh": "https://w3id.org/parkkg/shapes#",
}
#: The vocabularies of the data kg writes, in the order its files declare them.
_DATA_VOCABULARIES = ("qudt", "unit", "org", "prov", "schema", "skos", "rdf", "rdfs", "xsd")


def prefix_map(base_iri: str = DEFAULT_BASE_IRI, extra: Iterable[str] = ()) -> dict[str, str]:
    """The prefixes kg writes and queries with: ``kg``, the instance prefixes of ``base_iri``
    (``kgr``, ``park`` …) and the data vocabularies, then the :data:`VOCABULARIES` named in ``extra``."""
    names = (*_DATA_VOCABULARIES, *extra)
    return {"kg": KG_NS, **instance_prefixes(base_iri), **{name: VOCABULARIES[name] for name in names}}


#: Prefixes known to every query (a query's own PREFIX lines take precedence).
PREFIXES: dict[str, str] = prefix_map()


# ---------------------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------------------
#: Every triple of every named graph, each once.
UNION = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = str(XSD.string)
_XSD_DECIMAL = str(XSD.decimal)
_OX_DECIMAL = ox.NamedNode(_XSD_DECIMAL)
_OX_TERMS = (ox.NamedNode, ox.BlankNode, ox.Literal)


def in_graph(nt: str, graph: str) -> str:
    """N-Triples lines as N-Quads lines of the named graph ``graph`` (an IRI, without <>).

    Sound because an N-Triples line ends with `` .`` and a newline and nothing else can: a
    newline inside a literal is always written as ``\\n``.
    """
    return nt.replace(" .\n", f" <{graph}> .\n")


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
    """One rdflib term as a pyoxigraph term (a pyoxigraph term is returned as it is)."""
    if type(term) in _OX_TERMS:
        return term
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
    """pyoxigraph terms → rdflib terms, remembering IRIs: they repeat a lot.

    By default xsd:decimals are restored to kg's lexical form (see :func:`restore`); with
    ``restore=False`` every literal keeps the lexical form the engine gave, unnormalised, as
    query results must (they are compared with what an endpoint sends).
    """

    def __init__(self, *, restore: bool = True) -> None:
        self._iris: dict[str, URIRef] = {}
        self._restore = restore

    def __call__(self, term: Any) -> Any:
        if type(term) is ox.NamedNode:
            value = term.value
            iri = self._iris.get(value)
            if iri is None:
                iri = self._iris[value] = URIRef(value)
            return iri
        if type(term) is ox.Literal:
            if not self._restore:
                datatype = None if term.language else term.datatype.value
                return Literal(
                    term.value,
                    lang=term.language,
                    datatype=URIRef(datatype) if datatype and datatype != _XSD_STRING else None,
                    normalize=False,
                )
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
        if isinstance(term, Identifier):
            return term
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
    convert = ToRdflib()
    graphs: dict[str, Any] = {}
    for quad in quads:
        graph_name = quad.graph_name
        name = DATASET_DEFAULT_GRAPH_ID if isinstance(graph_name, ox.DefaultGraph) else graph_name.value
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
    fmt = rdf_format(format_name)
    if fmt.named_graphs:
        serialize_triples(source.quads(), destination, fmt.name, prefixes)
    elif fmt.name in ("turtle", "nt"):
        serialize_triples(source.triples(), destination, fmt.name, prefixes)
    else:
        data = source.graph().serialize(format=fmt.rdflib, encoding="utf-8")
        if hasattr(destination, "write"):
            destination.write(data)
        else:
            Path(destination).write_bytes(data)


def select(store: ox.Store, sparql: str, *, union: bool = False) -> ox.QuerySolutions:
    """The rows of a SELECT query: pyoxigraph's answer narrowed to the kind the query asks for.
    With ``union``, the default graph is the union of the named graphs."""
    answer = store.query(sparql, use_default_graph_as_union=union)
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {sparql}")
    return answer


def read_triple_count(store: ox.Store, union: bool) -> int:
    """Distinct triples of the graph queries of ``store`` read: its default graph, or with
    ``union`` (see :func:`kg.query.reads_named_graphs`) the merge of its named graphs, a triple that
    several graphs hold counted once (``len(store)`` counts quads)."""
    inner = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }" if union else "?s ?p ?o"
    return int(next(select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {inner} }}"))["n"].value)


def construct(store: ox.Store, sparql: str) -> ox.QueryTriples:
    """The triples of a CONSTRUCT or DESCRIBE query, narrowed as :func:`select` does."""
    answer = store.query(sparql)
    if not isinstance(answer, ox.QueryTriples):
        raise TypeError(f"not a CONSTRUCT or DESCRIBE query: {sparql}")
    return answer


def union_triples(store: ox.Store, *, named: bool = True, graph: ox.NamedNode | None = None) -> Iterator[ox.Triple]:
    """The union graph of ``store`` (every named graph, or the default graph, or the one named
    ``graph``), decimals restored."""
    if named and graph is None:
        triples: Iterable[Any] = construct(store, UNION)
    else:
        chosen = ox.DefaultGraph() if graph is None else graph
        triples = (quad.triple for quad in store.quads_for_pattern(None, None, None, chosen))
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
    format_name = rdf_format(format_name).name
    end = _DECIMAL_END[format_name]
    dumped = (
        _turtle_by_subject(store, prefixes)
        if format_name == "turtle"
        else store.dump(None, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    )
    assert dumped is not None  # no output given: dump returns the bytes
    data: bytes = dumped
    parts = data.split(end)
    out = []
    for part in parts[:-1]:
        quote = part.rfind(b'"')
        integral = quote > 0 and part[quote - 1 : quote] == b" " and _INTEGER.fullmatch(part, quote + 1)
        out.append(part + b".0" + end if integral else part + end)
    out.append(parts[-1])
    return b"".join(out)


def _turtle_by_subject(store: ox.Store, prefixes: dict[str, str]) -> bytes:
    """The default graph of ``store`` as Turtle with each subject written once, subjects in
    order: a store in memory keeps triples in the order they came (one article after another),
    so they are read subject by subject and Oxigraph's writer joins each subject's triples.
    Faster than sorting N-Triples lines, and nothing but the subjects is held in Python."""
    graph = ox.DefaultGraph()
    subjects = sorted((row[0] for row in select(store, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }")), key=lambda s: s.value)
    triples = (quad.triple for subject in subjects for quad in store.quads_for_pattern(subject, None, None, graph))
    out = ox.serialize(triples, None, ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert out is not None  # no output given: serialize returns the bytes
    return out


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
    fmt = ox_format(format_name)
    if rdf_format(format_name).name in ("turtle", "trig") and prefixes:
        return ox.serialize(triples, destination, fmt, prefixes=prefixes)
    return ox.serialize(triples, destination, fmt)


def to_rdflib(term: Any, *, restore: bool = True) -> Any:
    """One pyoxigraph term (or an rdflib term, or None) as an rdflib term (see :class:`ToRdflib`)."""
    if term is None or isinstance(term, Identifier):
        return term
    return ToRdflib(restore=restore)(term)


def ox_store(graph: Graph) -> ox.Store:
    """An in-memory Oxigraph store holding the triples of an rdflib ``graph`` (default graph).

    Raises ValueError or TypeError for a term Oxigraph rejects (a relative IRI …)."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph)
    return store


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------
#: A graph source: a path, ``-`` (standard input), a store folder, or several of them.
Sources = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]


def _sources(sources: Sources) -> list[str]:
    listed = [os.fspath(sources)] if isinstance(sources, (str, os.PathLike)) else [os.fspath(s) for s in sources]
    if not listed:
        raise UsageError("no graph to read: give a file, - for standard input, or a store folder")
    if listed.count(STDIO) > 1:
        raise UsageError("standard input (-) can be read once; give - once")
    return listed


def _stdin_bytes() -> bytes:
    data = sys.stdin.buffer.read()
    if not data.strip():
        raise InputError("<stdin>", "standard input is empty; pipe a graph in, e.g. kg build -o - | kg query -g -")
    return data


def load_store(sources: Sources, store: ox.Store | None = None, *, format: str | Format | None = None) -> ox.Store:
    """Bulk load RDF files (format by suffix unless ``format``; ``-`` is standard input, Turtle
    by default) into one in-memory :class:`pyoxigraph.Store`; several files are merged.

    TriG and N-Quads keep their named graphs, and their union, each triple once, becomes the
    default graph that queries read (Oxigraph's own union would repeat a triple once per graph
    stating it, and every article states the types of the entities it names). A folder made by
    ``kg build --store``, which keeps that union itself, is opened read-only where it is instead
    (or copied into ``store``). Raises :class:`InputError` for a file that cannot be read and
    :class:`GraphParseError` (with line and column) for one that does not parse.
    """
    from .store import is_store, open_store

    listed = _sources(sources)
    if len(listed) == 1 and store is None and is_store(listed[0]):
        with open_store(listed[0]) as graph_store:
            return graph_store.oxigraph  # stays open after the manifest is closed
    store = ox.Store() if store is None else store
    for source in listed:
        if is_store(source):
            with open_store(source) as graph_store:
                store.bulk_extend(dataset_quads(graph_store.oxigraph))
            continue
        p = Path(source) if source == STDIO else check_readable(source)
        fmt = _file_format(source, format)
        try:
            if source == STDIO:
                store.bulk_load(input=_stdin_bytes(), format=ox_format(fmt))
            else:
                store.bulk_load(path=str(p), format=ox_format(fmt), base_iri=p.resolve().as_uri())
        except SyntaxError as exc:
            raise oxigraph_parse_error(exc, "<stdin>" if source == STDIO else source, ox_format(fmt)) from None
        except (OSError, ValueError) as exc:
            raise InputError(source, f"cannot load: {exc}") from None
    if next(iter(store.named_graphs()), None) is not None:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store


def load_graph(sources: Sources, *, format: str | Format | None = None) -> Graph:
    """Parse RDF files into one rdflib Graph (format by suffix unless ``format``; ``-`` is
    standard input, Turtle by default); several files are merged.

    Named graphs (TriG, N-Quads) are merged into one graph; a folder made by ``kg build
    --store`` gives the union of its graphs. Raises :class:`InputError` for a file that cannot
    be read and :class:`GraphParseError` (with file, line and column) for one that does not
    parse.
    """
    from .store import is_store, open_graph

    graphs = [_load_one(source, format, is_store, open_graph) for source in _sources(sources)]
    if len(graphs) == 1:
        return graphs[0]
    merged = Graph()
    for graph in graphs:
        for prefix, namespace in graph.namespaces():
            merged.bind(prefix, namespace, override=False)
        merged += graph
    return merged


def _load_one(
    source: str, format: str | Format | None, is_store: Callable[[str], bool], open_graph: Callable[[str], Graph]
) -> Graph:
    if source != STDIO and is_store(source):
        return open_graph(source)
    if source == STDIO:
        fmt = _file_format(source, format)
        data, where, base = _stdin_bytes(), "<stdin>", None
    else:
        p = check_readable(source)  # missing, a folder, unreadable or empty: one clear message
        fmt = _file_format(source, format)
        try:
            data = p.read_bytes()
        except OSError as exc:  # gone or unreadable since it was checked
            raise InputError(str(p), f"cannot read: {exc.strerror or exc}") from None
        where, base = str(p), p.resolve().as_uri()
    if not data.strip():
        raise InputError(where, "the file is empty")
    if b"\x00" in data:
        raise InputError(where, "binary file, not RDF text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(where, f"not UTF-8 (byte {exc.start}); RDF files must be UTF-8") from None
    return parse_rdf(text, fmt.rdflib, source=where, base=base)


def check_readable(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path if it is a non-empty file; :class:`InputError` naming the problem if not."""
    p = Path(path)
    if not p.exists():
        hint = "; run `kg build` first" if p.name.startswith("graph.") else ""
        raise InputError(str(p), "no such file" + hint)
    if p.is_dir():
        raise InputError(str(p), "is a folder, neither an RDF file nor a kg store (no manifest.sqlite)")
    try:
        size = p.stat().st_size
        with p.open("rb"):
            pass
    except OSError as exc:
        raise InputError(str(p), f"cannot read: {exc.strerror or exc}") from None
    if size == 0:
        raise InputError(str(p), "the file is empty")
    return p


def oxigraph_parse_error(exc: SyntaxError, source: str, fmt: Any) -> GraphParseError:
    """A pyoxigraph parse error as a :class:`GraphParseError` with file, line and column."""
    line, column = exc.lineno, exc.offset
    reason = exc.msg or str(exc)
    where = source + (f":{line}" if line else "") + (f":{column}" if line and column else "")
    error = GraphParseError(f"{where}: cannot parse as {fmt}: {reason}")
    error.path = source
    error.line = line
    error.column = column
    return error


def parse_rdf(text: str, fmt: str, *, source: str, base: str | None = None) -> Graph:
    """Parse RDF ``text`` in rdflib format ``fmt``; parse errors name ``source``."""
    try:
        with warnings.catch_warnings():
            # rdflib's own parsers use APIs rdflib itself deprecates (ConjunctiveGraph).
            warnings.simplefilter("ignore", DeprecationWarning)
            return _parse(text, fmt, base)
    except Exception as exc:  # rdflib raises many unrelated exception types
        raise _parse_error(exc, text, fmt, source) from exc


def _parse(text: str, fmt: str, base: str | None) -> Graph:
    """Parse without error translation; quad formats are merged into one graph."""
    if fmt in _QUAD_PARSERS:
        ds = Dataset(default_union=True)
        ds.parse(data=text, format=fmt, publicID=base)
        graph = Graph()
        for prefix, ns in ds.namespaces():
            graph.bind(prefix, ns, override=False)
        for s, p, o, _ in ds.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    graph = Graph()
    graph.parse(data=text, format=fmt, publicID=base)
    return graph


def _parse_error(exc: BaseException, text: str, fmt: str, source: str) -> GraphParseError:
    """Turn a parser exception into a GraphParseError with file, line and column."""
    line, column, reason = _locate(exc, text, fmt)
    where = source
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    message = f"{where}: cannot parse as {_label(fmt)}: {reason}"
    if line is not None:
        lines = text.splitlines()
        if 0 < line <= len(lines):
            excerpt = lines[line - 1].strip()
            if len(excerpt) > 100:
                excerpt = excerpt[:100] + "…"
            message += f"\n    line {line}: {excerpt}"
    err = GraphParseError(message)
    err.path = source
    err.line = line
    err.column = column
    return err


def _locate(exc: BaseException, text: str, fmt: str) -> tuple[int | None, int | None, str]:
    """Best-effort (line, column, reason) of a parse error; line and column are 1-based."""
    # Turtle, TriG, N3: rdflib's BadSyntax knows the character index of the error.
    index = getattr(exc, "_i", None)
    why = getattr(exc, "_why", None)
    if isinstance(index, int) and why is not None:
        index = max(0, min(index, len(text)))
        line = text.count("\n", 0, index) + 1
        column: int | None = index - (text.rfind("\n", 0, index) + 1) + 1
        return line, column, str(why)
    # JSON-LD whose JSON is broken.
    if isinstance(exc, json.JSONDecodeError):
        return exc.lineno, exc.colno, exc.msg
    # RDF/XML.
    if isinstance(exc, xml.sax.SAXParseException):
        offset = exc.getColumnNumber()
        return exc.getLineNumber(), offset + 1 if offset is not None else None, exc.getMessage()
    reason = str(exc).strip() or type(exc).__name__
    # N-Triples / N-Quads: each line stands alone, so find the first line that fails.
    if fmt in ("nt", "nquads"):
        first = reason.splitlines()[0]
        hint = _line_format_hint(reason)
        found = _first_bad_line(text, fmt, hint)
        if found is not None:
            line, line_text = found
            column = None
            if hint and hint in line_text:
                column = line_text.rfind(hint) + 1
            return line, column, first
        return None, None, first
    # Anything else: look for "line N" (and "column M") in the message.
    m = re.search(r"line (\d+)(?:,? column (\d+))?", reason)
    if m:
        return int(m.group(1)), int(m.group(2)) if m.group(2) else None, reason.splitlines()[0]
    # rdflib failed without saying where (a Turtle file cut short: "string index out of range"):
    # Oxigraph's parser says where the text stops being RDF.
    located = _locate_with_oxigraph(text, fmt)
    if located is not None:
        return located
    return None, None, reason.splitlines()[0]


def _locate_with_oxigraph(text: str, fmt: str) -> tuple[int | None, int | None, str] | None:
    import pyoxigraph as ox

    known = next((f for f in FORMATS.values() if f.rdflib == fmt), None)
    if known is None:
        return None
    try:
        for _ in ox.parse(text.encode("utf-8"), format=ox_format(known.name)):
            pass
    except SyntaxError as error:
        return error.lineno, error.offset, error.msg or str(error)
    return None


def _line_format_hint(reason: str) -> str | None:
    """The text of the offending line (or its unparsed rest) quoted in an rdflib message."""
    m = re.match(r"Invalid line(?: \(.*\))?:\s*(.*)", reason, re.DOTALL)
    if not m:
        return None
    rest = m.group(1).strip()
    if len(rest) >= 2 and rest[0] == rest[-1] and rest[0] in "'\"":
        rest = rest[1:-1]
    return rest.strip() or None


def _first_bad_line(text: str, fmt: str, hint: str | None) -> tuple[int, str] | None:
    """(1-based number, text) of the first line of an N-Triples/N-Quads file that fails."""
    lines = text.splitlines()
    numbered = list(enumerate(lines, start=1))
    if hint:
        candidates = [(n, s) for n, s in numbered if hint in s]
        numbered = candidates + [item for item in numbered if item not in candidates]
    for n, line in numbered:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            if fmt == "nquads":
                Dataset().parse(data=line + "\n", format=fmt)
            else:
                Graph().parse(data=line + "\n", format=fmt)
        except Exception:  # noqa: BLE001 - any parser error marks the line as bad
            return n, line
    return None


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------
def atomic_write(destination: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
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
    fmt = rdf_format(format_name)
    rdflib_format = fmt.rdflib
    if fmt.named_graphs and not isinstance(graph, Dataset):
        raise UsageError(f"format {format_name!r} needs a dataset with one graph per article; build with named graphs")
    if destination is None:
        return graph.serialize(format=rdflib_format)

    def write(temp: Path) -> None:
        graph.serialize(destination=str(temp), format=rdflib_format, encoding="utf-8")

    return atomic_write(destination, write)


def write_output(destination: str | os.PathLike[str], data: bytes | str | Callable[[IO[bytes]], Any]) -> Path | None:
    """Write ``data`` (bytes, text, or a function writing to a binary stream) to ``destination``:
    atomically to a file, or to standard output for ``-`` (then None is returned)."""

    def write(stream: IO[bytes]) -> None:
        if callable(data):
            data(stream)
        else:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)

    if os.fspath(destination) == STDIO:
        sys.stdout.flush()
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return None

    def to_file(temp: Path) -> None:
        with temp.open("wb") as stream:
            write(stream)

    return atomic_write(destination, to_file)
