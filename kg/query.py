"""SPARQL over kg graphs: one :class:`Results` type, two engines, and the bundled analyst queries.

    >>> from kg.query import run, bundled_queries
    >>> results = run("out/graph.ttl", "SELECT ?park WHERE { ?park a kg:Park }")  # doctest: +SKIP
    >>> print(results.table())                                                      # doctest: +SKIP

Engines. A file path or a :class:`pyoxigraph.Store` is queried with Oxigraph (the file is bulk
loaded into an in-memory store; tens to hundreds of times faster than rdflib on large graphs, see
``benchmarks/query_bench.py``). An :class:`rdflib.Graph` is queried with rdflib, so the Python API
keeps working on graphs built in memory; ``engine=`` forces either one.

Parameters. ``bindings={"name": "常州国家高新区"}`` binds variables through the engine (rdflib
``initBindings``, Oxigraph ``substitutions``); values are never pasted into the query text.
Oxigraph substitutes only variables listed in the ``SELECT`` clause, and it folds
``BOUND(?param)`` to false before substituting, so an optional parameter is either used in a
triple pattern (unbound, the pattern matches everything; bound, it is an index lookup) or tested
with ``COALESCE(test-using-?param, true)``; both behave the same in the two engines.

Bundled queries live in ``kg/_data/queries/NAME.rq``; each begins with a ``# description:`` line
and one ``# param: NAME KIND  help`` line per parameter (see :class:`Param`). :func:`run_bundled`
hides the parameter columns (constant, or copies of a name column) from the results.

Results serialise to the SPARQL 1.1 Query Results JSON, XML, CSV and TSV formats and to a
terminal table in which Chinese characters count as two columns.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
import time
import unicodedata
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from rdflib.term import Identifier, Node

from .errors import GraphParseError, InputError, QueryError, QueryTimeout, UsageError
from .ontology import DEFAULT_BASE_IRI, KG_NS, ORG, PROV, QUDT, SCHEMA, UNIT, expand_iri, instance_prefixes, short_iri

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import pyoxigraph

__all__ = [
    "PREFIXES",
    "RESULT_FORMATS",
    "STREAM_FORMATS",
    "BundledQuery",
    "Param",
    "QueryTimeout",
    "Results",
    "bundled",
    "bundled_queries",
    "check_readable",
    "describe_bundled",
    "is_update",
    "load_store",
    "oxigraph_format",
    "oxigraph_parse_error",
    "parse_param",
    "result_pieces",
    "run",
    "run_bundled",
    "syntax_error",
]

#: Prefixes known to every query (a query's own PREFIX lines take precedence).
PREFIXES: dict[str, str] = {
    "kg": KG_NS,
    **instance_prefixes(DEFAULT_BASE_IRI),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "qudt": str(QUDT),
    "unit": str(UNIT),
    "org": str(ORG),
    "prov": str(PROV),
    "schema": str(SCHEMA),
}

#: Formats of :meth:`Results.serialize`: SPARQL results formats, a terminal table, RDF for graphs.
RESULT_FORMATS = ("table", "json", "xml", "csv", "tsv", "turtle", "nt", "json-ld")
_GRAPH_FORMATS = {"turtle": "turtle", "nt": "nt", "json-ld": "json-ld", "xml": "xml"}

_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = str(RDF.langString)
_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
_NUMERIC = {str(XSD[name]) for name in ("integer", "decimal", "double", "float", "int", "long", "short",
                                         "nonNegativeInteger", "positiveInteger", "negativeInteger",
                                         "nonPositiveInteger", "unsignedInt", "unsignedLong", "byte")}

#: RDF file suffix -> Oxigraph format name (resolved lazily, pyoxigraph is imported on first use).
_OX_FORMATS = {
    ".ttl": "TURTLE",
    ".turtle": "TURTLE",
    ".nt": "N_TRIPLES",
    ".ntriples": "N_TRIPLES",
    ".nq": "N_QUADS",
    ".nquads": "N_QUADS",
    ".trig": "TRIG",
    ".jsonld": "JSON_LD",
    ".json": "JSON_LD",
    ".rdf": "RDF_XML",
    ".owl": "RDF_XML",
    ".xml": "RDF_XML",
    ".n3": "N3",
}

Engine = TypingLiteral["oxigraph", "rdflib"]


# ---------------------------------------------------------------------------------------
# Terms: rdflib and pyoxigraph terms seen through one lens
# ---------------------------------------------------------------------------------------
def _parts(term: Any) -> tuple[str, str, str | None, str | None]:
    """(kind, value, language, datatype) of an rdflib or pyoxigraph term.

    ``kind`` is ``uri``, ``bnode`` or ``literal``; ``datatype`` is None for plain and
    language-tagged strings. Dispatch is by exact type (cached), since this runs per cell.
    """
    try:
        reader = _PARTS[type(term)]
    except KeyError:
        reader = _PARTS.setdefault(type(term), _reader_for(term))
    return reader(term)


def _rdflib_literal_parts(term: Literal) -> tuple[str, str, str | None, str | None]:
    datatype = str(term.datatype) if term.datatype is not None else None
    if datatype in (_XSD_STRING, _RDF_LANGSTRING):
        datatype = None
    return "literal", str(term), term.language, datatype


def _oxigraph_literal_parts(term: Any) -> tuple[str, str, str | None, str | None]:
    language = term.language
    if language:
        return "literal", term.value, language, None
    datatype = term.datatype.value
    return "literal", term.value, None, None if datatype == _XSD_STRING else datatype


def _reader_for(term: Any) -> Callable[[Any], tuple[str, str, str | None, str | None]]:
    if isinstance(term, URIRef):
        return lambda t: ("uri", str(t), None, None)
    if isinstance(term, BNode):
        return lambda t: ("bnode", str(t), None, None)
    if isinstance(term, Literal):
        return _rdflib_literal_parts
    kind = type(term).__name__
    if kind == "NamedNode":
        return lambda t: ("uri", t.value, None, None)
    if kind == "BlankNode":
        return lambda t: ("bnode", t.value, None, None)
    if kind == "Literal":
        return _oxigraph_literal_parts
    # RDF-star quoted triples and anything else: their N-Triples-like text as a literal.
    return lambda t: ("literal", str(t), None, None)


_PARTS: dict[type, Callable[[Any], tuple[str, str, str | None, str | None]]] = {}


def _to_rdflib(term: Any) -> Node | None:
    if term is None or isinstance(term, Identifier):
        return term
    kind, value, language, datatype = _parts(term)
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(value, lang=language, datatype=URIRef(datatype) if datatype else None, normalize=False)


def _to_python(term: Any) -> Any:
    """A plain Python value for data frames: numbers as int/float, everything else as text."""
    if term is None:
        return None
    kind, value, _, datatype = _parts(term)
    if kind == "literal" and datatype in _NUMERIC:
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        return int(number) if datatype == str(XSD.integer) and number == number.to_integral_value() else float(number)
    if kind == "literal" and datatype == str(XSD.boolean):
        return value.strip() in ("true", "1")
    return value


def _as_term(value: Any) -> Identifier:
    """A binding value as an rdflib term: strings and numbers become literals."""
    if isinstance(value, Identifier):
        return value
    if type(value).__name__ in ("NamedNode", "BlankNode", "Literal"):
        converted = _to_rdflib(value)
        assert converted is not None
        return converted  # type: ignore[return-value]
    if isinstance(value, (str, int, float, Decimal, bool)):
        return Literal(value)
    raise UsageError(f"cannot bind a {type(value).__name__} ({value!r}); use a string, a number or an rdflib term")


def _to_oxigraph(term: Identifier) -> Any:
    import pyoxigraph as ox

    kind, value, language, datatype = _parts(term)
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if language:
        return ox.Literal(value, language=language)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


_VARIABLE = re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w\u00B7\u00C0-\uFFFF]*")


def parse_param(text: str) -> tuple[str, Identifier]:
    """``name=value`` from the command line: ``<…>`` or a predeclared prefixed name
    (``park:南昌高新区``, as tables show IRIs) is an IRI, anything else a string literal."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _VARIABLE.fullmatch(name):
        raise UsageError(f"--param {text!r}: write NAME=VALUE, e.g. --param name=常州国家高新区")
    iri = expand_iri(value, PREFIXES)
    if iri is None:
        return name, Literal(value)
    problem = _iri_problem(iri)
    if problem:
        raise UsageError(
            f"--param {text!r}: {value} is not an absolute IRI ({problem}); "
            "write e.g. <https://example.org/x> or park:名称, or drop the <> for a string"
        )
    return name, URIRef(iri)


def _iri_problem(iri: str) -> str | None:
    """What makes ``iri`` unusable as an absolute IRI (Oxigraph's words), or None."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError as error:
        return str(error)
    return None


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------
@dataclass
class Results:
    """The answer to one query: rows for SELECT, a boolean for ASK, a graph for CONSTRUCT/DESCRIBE.

    ``rows`` holds rdflib terms (None where a variable is unbound); iterate the results to get
    one dict per row, or call :meth:`to_dataframe` for pandas.
    """

    kind: TypingLiteral["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    engine: str = "rdflib"
    seconds: float = 0.0
    _raw: list[tuple[Any, ...]] = field(default_factory=list, repr=False)
    _rows: list[tuple[Node | None, ...]] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[tuple[Node | None, ...]]:
        """Rows of rdflib terms, in the order of :attr:`variables`."""
        if self._rows is None:
            self._rows = [tuple(_to_rdflib(term) for term in row) for row in self._raw]
        return self._rows

    def __len__(self) -> int:
        if self.kind == "graph":
            return len(self.graph) if self.graph is not None else 0
        if self.kind == "ask":
            return 1
        return len(self._raw)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ask" else len(self) > 0

    def __iter__(self) -> Iterator[dict[str, Node]]:
        for row in self.rows:
            yield {name: value for name, value in zip(self.variables, row) if value is not None}

    def column(self, name: str) -> list[Node | None]:
        """All values of one variable."""
        index = self._index(name)
        return [row[index] for row in self.rows]

    def values(self, name: str) -> list[Any]:
        """All values of one variable as plain Python values (numbers, strings)."""
        index = self._index(name)
        return [_to_python(row[index]) for row in self._raw]

    def _index(self, name: str) -> int:
        try:
            return self.variables.index(name.lstrip("?$"))
        except ValueError:
            raise UsageError(f"no variable ?{name} in the results; they have {', '.join(self.variables)}") from None

    def project(self, names: Sequence[str]) -> Results:
        """The same results with only the variables ``names`` (in that order)."""
        indexes = [self._index(name) for name in names]
        raw = [tuple(row[i] for i in indexes) for row in self._raw]
        return Results(self.kind, [self.variables[i] for i in indexes], self.boolean, self.graph, self.engine, self.seconds, raw)

    def records(self, *, compact: bool = False) -> list[dict[str, Any]]:
        """One dict of plain Python values per row (unbound variables are None).

        With ``compact``, IRIs are shortened as in :meth:`table` (``unit:CCY_CNY``,
        ``park:常州高新区``).
        """
        namespaces = _namespaces(None) if compact else None
        return [
            {
                name: _compact(term, namespaces) if namespaces is not None and term is not None and _parts(term)[0] == "uri" else _to_python(term)
                for name, term in zip(self.variables, row)
            }
            for row in self._raw
        ]

    def to_dataframe(self, *, compact: bool = False) -> pandas.DataFrame:
        """The rows as a pandas DataFrame of plain values (numbers stay numbers; see :meth:`records`)."""
        try:
            import pandas
        except ImportError:  # pragma: no cover - depends on the environment
            raise UsageError("to_dataframe needs pandas: pip install pandas") from None
        if self.kind != "select":
            raise UsageError(f"only SELECT results make a data frame; this is a {self.kind.upper()} result")
        return pandas.DataFrame.from_records(self.records(compact=compact), columns=self.variables)

    # -- serialisation ------------------------------------------------------------------
    def serialize(self, format: str = "json", *, prefixes: Mapping[str, str] | None = None, max_width: int = 60) -> str:
        """Text in one of :data:`RESULT_FORMATS` (SPARQL results formats, table, or RDF for graphs)."""
        fmt = format.lower()
        if self.kind == "graph":
            assert self.graph is not None
            rdf = {"table": "turtle", "json": "json-ld", "csv": "nt", "tsv": "nt"}.get(fmt, fmt)
            if rdf not in _GRAPH_FORMATS:
                raise UsageError(f"a CONSTRUCT/DESCRIBE result is a graph; choose turtle, nt, json-ld or xml, not {format!r}")
            return self.graph.serialize(format=_GRAPH_FORMATS[rdf])
        writers = {"json": self._json, "xml": self._xml, "csv": self._csv, "tsv": self._tsv}
        if fmt == "table":
            return self.table(prefixes=prefixes, max_width=max_width)
        if fmt not in writers:
            raise UsageError(f"unknown results format {format!r}; choose table, json, xml, csv or tsv")
        return writers[fmt]()

    def _json(self) -> str:
        return "".join(result_pieces("json", self.kind, self.variables, self._raw, self.boolean))

    def _xml(self) -> str:
        return "".join(result_pieces("xml", self.kind, self.variables, self._raw, self.boolean))

    def _csv(self) -> str:
        return "".join(result_pieces("csv", self.kind, self.variables, self._raw, self.boolean))

    def _tsv(self) -> str:
        return "".join(result_pieces("tsv", self.kind, self.variables, self._raw, self.boolean))

    def table(self, *, prefixes: Mapping[str, str] | None = None, max_width: int = 60) -> str:
        """A readable table; IRIs are shortened with ``prefixes`` (see :func:`~kg.ontology.short_iri`).

        Chinese (East Asian wide) characters count as two columns; cells wider than
        ``max_width`` are cut with "…" (``max_width=0`` keeps them whole), IRIs never.
        """
        if self.kind == "ask":
            return "true" if self.boolean else "false"
        namespaces = _namespaces(prefixes)
        header = list(self.variables)
        body = [[_cell(term, namespaces, max_width) for term in row] for row in self._raw]
        widths = [max([_width(text) for text in column] or [0]) for column in zip(header, *body)] if header else []
        lines = [" | ".join(_pad(text, width) for text, width in zip(header, widths)).rstrip()]
        lines.append("-+-".join("-" * width for width in widths))
        for cells in body:
            lines.append(" | ".join(_pad(text, width) for text, width in zip(cells, widths)).rstrip())
        count = len(body)
        lines.append(f"({count} row{'s' if count != 1 else ''})")
        return "\n".join(lines)


#: Formats :func:`result_pieces` writes row by row.
STREAM_FORMATS = ("json", "xml", "csv", "tsv")


def result_pieces(
    fmt: str, kind: str, variables: Sequence[str], rows: Iterable[Sequence[Any]], boolean: bool | None = None
) -> Iterator[str]:
    """SPARQL results (``json``, ``xml``, ``csv``, ``tsv``) as text pieces, one per row.

    ``rows`` may be any iterable of value tuples (rdflib or pyoxigraph terms, None for unbound),
    such as a pyoxigraph solution iterator: nothing is collected, so a server can send rows as
    the engine yields them.
    """
    writer = {"json": _json_pieces, "xml": _xml_pieces, "csv": _csv_pieces, "tsv": _tsv_pieces}.get(fmt)
    if writer is None:
        raise UsageError(f"unknown results format {fmt!r}; choose json, xml, csv or tsv")
    return writer(kind, list(variables), rows, boolean)


def _json_pieces(kind: str, variables: list[str], rows: Iterable[Sequence[Any]], boolean: bool | None) -> Iterator[str]:
    if kind == "ask":
        yield json.dumps({"head": {}, "boolean": bool(boolean)})
        return
    head = json.dumps({"vars": variables}, ensure_ascii=False, separators=(",", ":"))
    yield '{"head":' + head + ',"results":{"bindings":['
    separator = ""
    for row in rows:
        binding: dict[str, dict[str, str]] = {}
        for name, term in zip(variables, row):
            if term is None:
                continue
            kind_, value, language, datatype = _parts(term)
            if language:
                binding[name] = {"type": kind_, "value": value, "xml:lang": language}
            elif datatype:
                binding[name] = {"type": kind_, "value": value, "datatype": datatype}
            else:
                binding[name] = {"type": kind_, "value": value}
        yield separator + json.dumps(binding, ensure_ascii=False, separators=(",", ":"))
        separator = ","
    yield "]}}"


def _xml_pieces(kind: str, variables: list[str], rows: Iterable[Sequence[Any]], boolean: bool | None) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{_RESULTS_NS}">\n <head>'
    if kind == "ask":
        yield f"</head>\n <boolean>{'true' if boolean else 'false'}</boolean>\n</sparql>\n"
        return
    yield "".join(f"\n  <variable name={quoteattr(name)}/>" for name in variables) + "\n </head>\n <results>"
    for row in rows:
        cells = []
        for name, term in zip(variables, row):
            if term is None:
                continue
            kind_, value, language, datatype = _parts(term)
            if language:
                attributes = f" xml:lang={quoteattr(language)}"
            elif datatype:
                attributes = f" datatype={quoteattr(datatype)}"
            else:
                attributes = ""
            tag = {"uri": "uri", "bnode": "bnode"}.get(kind_, "literal")
            element = f"<{tag}{attributes}>{xml_escape(value)}</{tag}>"
            cells.append(f"\n   <binding name={quoteattr(name)}>{element}</binding>")
        yield "\n  <result>" + "".join(cells) + "\n  </result>"
    yield "\n </results>\n</sparql>\n"


def _csv_pieces(kind: str, variables: list[str], rows: Iterable[Sequence[Any]], boolean: bool | None) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def line(cells: list[str]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(cells)
        return out.getvalue()

    if kind == "ask":
        yield line(["boolean"]) + line(["true" if boolean else "false"])
        return
    yield line(variables)
    for row in rows:
        cells = []
        for term in row:
            if term is None:
                cells.append("")
                continue
            kind_, value, _, _ = _parts(term)
            cells.append("_:" + value if kind_ == "bnode" else value)
        yield line(cells)


def _tsv_pieces(kind: str, variables: list[str], rows: Iterable[Sequence[Any]], boolean: bool | None) -> Iterator[str]:
    if kind == "ask":
        yield "?boolean\n" + ("true" if boolean else "false") + "\n"
        return
    yield "\t".join("?" + name for name in variables) + "\n"
    for row in rows:
        yield "\t".join("" if term is None else _ntriples(term) for term in row) + "\n"


def _ntriples(term: Any) -> str:
    """A term in N-Triples syntax (as the SPARQL TSV format wants)."""
    kind, value, language, datatype = _parts(term)
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    if language:
        return f'"{escaped}"@{language}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def _namespaces(prefixes: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """(namespace, prefix) pairs, longest namespace first, from :data:`PREFIXES` and ``prefixes``."""
    names = {**PREFIXES, **(prefixes or {})}
    return sorted(((namespace, prefix) for prefix, namespace in names.items()), key=lambda item: -len(item[0]))


def _compact(term: Any, namespaces: list[tuple[str, str]]) -> str:
    """An IRI as ``prefix:local`` or ``<…>``, in a form that can be pasted back (:func:`short_iri`)."""
    return short_iri(_parts(term)[1], {prefix: namespace for namespace, prefix in namespaces})


def _cell(term: Any, namespaces: list[tuple[str, str]], max_width: int) -> str:
    if term is None:
        return ""
    kind, value, _, _ = _parts(term)
    if kind == "uri":
        return _compact(term, namespaces)  # whole, so that it can be pasted back
    if kind == "bnode":
        value = "_:" + value
    value = " ".join(value.split())  # newlines and tabs would break the table
    if max_width and _width(value) > max_width:
        value = _truncate(value, max_width - 1) + "…"
    return value


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide and full-width characters take two."""
    return sum(_char_width(char) for char in text)


def _truncate(text: str, width: int) -> str:
    used = 0
    for index, char in enumerate(text):
        used += _char_width(char)
        if used > width:
            return text[:index]
    return text


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# ---------------------------------------------------------------------------------------
# Loading graphs into Oxigraph
# ---------------------------------------------------------------------------------------
def oxigraph_format(path: str | os.PathLike[str]) -> Any:
    """The :class:`pyoxigraph.RdfFormat` of an RDF file, by its suffix."""
    import pyoxigraph as ox

    suffix = Path(path).suffix.lower()
    try:
        return getattr(ox.RdfFormat, _OX_FORMATS[suffix])
    except KeyError:
        known = ", ".join(sorted(_OX_FORMATS))
        raise InputError(str(path), f"unknown RDF file suffix {suffix!r}; use one of {known}") from None


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
    error.path = source  # type: ignore[attr-defined]
    error.line = line  # type: ignore[attr-defined]
    error.column = column  # type: ignore[attr-defined]
    return error


def load_store(path: str | os.PathLike[str], store: pyoxigraph.Store | None = None) -> pyoxigraph.Store:
    """Bulk load an RDF file (format by suffix) into an in-memory :class:`pyoxigraph.Store`.

    TriG and N-Quads keep their named graphs, and their union, each triple once, becomes the
    default graph that queries read (Oxigraph's own union would repeat a triple once per graph
    stating it, and every article states the types of the entities it names). A folder made by
    ``kg build --store``, which keeps that union itself, is opened read-only where it is instead
    (or copied into ``store``). Raises :class:`InputError` for a file that cannot be read and
    :class:`GraphParseError` (with line and column) for one that does not parse.
    """
    import pyoxigraph as ox

    from ._ox import dataset_quads
    from .store import is_store, open_store

    if is_store(path):
        with open_store(path) as graph_store:
            if store is None:
                return graph_store.oxigraph  # stays open after the manifest is closed
            store.bulk_extend(dataset_quads(graph_store.oxigraph))
            return store
    p = check_readable(path)
    fmt = oxigraph_format(p)
    store = ox.Store() if store is None else store
    try:
        store.bulk_load(path=str(p), format=fmt, base_iri=p.resolve().as_uri())
    except SyntaxError as exc:
        raise oxigraph_parse_error(exc, str(p), fmt) from None
    except (OSError, ValueError) as exc:
        raise InputError(str(p), f"cannot load: {exc}") from None
    if next(iter(store.named_graphs()), None) is not None:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store


def _store_of_graph(graph: Graph) -> pyoxigraph.Store:
    import pyoxigraph as ox

    store = ox.Store()
    data = graph.serialize(format="nt", encoding="utf-8")
    store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES)
    return store


# ---------------------------------------------------------------------------------------
# Running queries
# ---------------------------------------------------------------------------------------
def run(
    source: Any,
    sparql: str,
    *,
    bindings: Mapping[str, Any] | None = None,
    engine: Engine | None = None,
    prefixes: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Results:
    """Run a SPARQL query on ``source`` and return its :class:`Results`.

    ``source`` is an rdflib Graph (queried with rdflib), a pyoxigraph Store, or the path of an
    RDF file (both queried with Oxigraph). ``bindings`` maps variable names to values (strings,
    numbers, rdflib terms). ``prefixes`` adds to :data:`PREFIXES`. With ``timeout`` (seconds)
    the rows are collected only until the deadline and :class:`QueryTimeout` is raised after it.
    Malformed SPARQL raises :class:`QueryError` naming the line and column.
    """
    names = {**PREFIXES, **(prefixes or {})}
    terms = {name.lstrip("?$"): _as_term(value) for name, value in (bindings or {}).items()}
    deadline = None if timeout is None else time.monotonic() + timeout
    if engine not in (None, "oxigraph", "rdflib"):
        raise UsageError(f"unknown engine {engine!r}; choose oxigraph or rdflib")
    if isinstance(source, Graph):
        if engine == "oxigraph":
            return _run_oxigraph(_store_of_graph(source), sparql, terms, names, deadline)
        return _run_rdflib(source, sparql, terms, names, deadline)
    if isinstance(source, (str, os.PathLike)):
        if engine == "rdflib":
            from .validate import load_graph

            return _run_rdflib(load_graph(source), sparql, terms, names, deadline)
        return _run_oxigraph(load_store(source), sparql, terms, names, deadline)
    if type(source).__name__ == "Store":
        if engine == "rdflib":
            raise UsageError("a pyoxigraph Store is queried with oxigraph; pass an rdflib Graph for rdflib")
        return _run_oxigraph(source, sparql, terms, names, deadline)
    raise UsageError(f"cannot query a {type(source).__name__}; pass an rdflib Graph, a pyoxigraph Store or a file path")


def _check_deadline(deadline: float | None, count: int) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise QueryTimeout(f"the query ran past its time limit (stopped after {count} rows)")


def reads_named_graphs(store: Any) -> bool:
    """Whether a query must read the union of ``store``'s named graphs: a store made elsewhere
    that has named graphs only. kg's store and a loaded TriG hold that union in their default
    graph, each triple once, and are read there."""
    import pyoxigraph as ox

    if next(iter(store.named_graphs()), None) is None:
        return False
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None


def _run_oxigraph(store: Any, sparql: str, bindings: dict[str, Identifier], prefixes: dict[str, str], deadline: float | None) -> Results:
    import pyoxigraph as ox

    started = time.perf_counter()
    try:
        substitutions = {ox.Variable(name): _to_oxigraph(term) for name, term in bindings.items()}
    except ValueError as error:
        raise UsageError(f"cannot bind a value: {error}; an IRI must be absolute, e.g. https://example.org/x") from None
    union = reads_named_graphs(store)
    try:
        answer = store.query(
            sparql, prefixes=prefixes, substitutions=substitutions or None, use_default_graph_as_union=union
        )
    except SyntaxError as exc:
        raise syntax_error(sparql, str(exc)) from None
    except RuntimeError as exc:  # e.g. a substituted variable missing from SELECT
        message = str(exc)
        m = re.search(r"variable \?(\S+) in its SELECT projection", message)
        if m:
            raise UsageError(f"the query does not SELECT ?{m.group(1)}, so it cannot be bound; add it to the SELECT clause") from None
        raise QueryError(f"the query failed: {message}") from None
    # pyoxigraph's result iterators must be dropped on the thread that made them: no exception
    # (whose traceback would keep ``answer`` alive) leaves this function while one exists.
    failure: QueryError | None = None
    results: Results | None = None
    try:
        results = _collect_oxigraph(answer, prefixes, deadline, started)
    except QueryTimeout as exc:
        failure = QueryTimeout(str(exc))
    except (OSError, RuntimeError) as exc:
        failure = QueryError(f"the query failed: {exc}")
    finally:
        del answer
    if failure is not None:
        raise failure
    assert results is not None
    return results


def _collect_oxigraph(answer: Any, prefixes: dict[str, str], deadline: float | None, started: float) -> Results:
    import pyoxigraph as ox

    if isinstance(answer, ox.QueryBoolean):
        return Results("ask", boolean=bool(answer), engine="oxigraph", seconds=time.perf_counter() - started)
    if isinstance(answer, ox.QueryTriples):
        graph = _namespaced_graph(prefixes)
        for count, triple in enumerate(answer):
            if deadline is not None and count % 256 == 0:
                _check_deadline(deadline, count)
            graph.add((_to_rdflib(triple.subject), _to_rdflib(triple.predicate), _to_rdflib(triple.object)))  # type: ignore[arg-type]
        _check_deadline(deadline, len(graph))
        return Results("graph", graph=graph, engine="oxigraph", seconds=time.perf_counter() - started)
    variables = [variable.value for variable in answer.variables]
    raw: list[tuple[Any, ...]] = []
    for solution in answer:
        if deadline is not None and len(raw) % 256 == 0:
            _check_deadline(deadline, len(raw))
        raw.append(tuple(solution))  # the values, in the order of answer.variables
    _check_deadline(deadline, len(raw))
    return Results("select", variables, engine="oxigraph", seconds=time.perf_counter() - started, _raw=raw)


def _namespaced_graph(prefixes: Mapping[str, str]) -> Graph:
    graph = Graph()
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True)
    return graph


def _run_rdflib(graph: Graph, sparql: str, bindings: dict[str, Identifier], prefixes: dict[str, str], deadline: float | None) -> Results:
    from pyparsing import ParseException

    started = time.perf_counter()
    try:
        answer = graph.query(sparql, initNs=prefixes, initBindings=bindings or None)
        kind = answer.type
        if kind == "ASK":
            return Results("ask", boolean=bool(answer.askAnswer), engine="rdflib", seconds=time.perf_counter() - started)
        if kind in ("CONSTRUCT", "DESCRIBE"):
            result_graph = _namespaced_graph(prefixes)
            for triple in answer.graph or []:
                result_graph.add(triple)
            return Results("graph", graph=result_graph, engine="rdflib", seconds=time.perf_counter() - started)
        variables = [str(variable) for variable in answer.vars or []]
        raw = []
        for row in answer:
            if deadline is not None and len(raw) % 256 == 0:
                _check_deadline(deadline, len(raw))
            raw.append(tuple(row))  # type: ignore[arg-type]
        _check_deadline(deadline, len(raw))
    except ParseException as exc:
        raise syntax_error(sparql, f"error at {exc.lineno}:{exc.col}: {exc.msg}") from None
    except QueryError:
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib raises many unrelated exception types
        raise QueryError(f"the query failed: {exc}") from None
    return Results("select", variables, engine="rdflib", seconds=time.perf_counter() - started, _raw=raw)


def syntax_error(sparql: str, message: str) -> QueryError:
    """A QueryError for malformed SPARQL: line, column, the parser's words and the line itself."""
    if is_update(sparql):
        return QueryError(
            "this is a SPARQL Update, and kg only reads graphs; to change a graph, push it to a "
            "triple store (kg push) and update it there"
        )
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if not m:
        return QueryError(f"malformed SPARQL: {message}")
    line, column, reason = int(m.group(1)), int(m.group(2)), " ".join(m.group(3).split())
    if "Prefix not found" in reason:
        reason = f"undeclared prefix; add a PREFIX line (predeclared: {', '.join(PREFIXES)})"
    elif len(reason) > 160:
        reason = reason[:159] + "…"
    text = f"malformed SPARQL at line {line}, column {column}: {reason}"
    lines = sparql.splitlines()
    if 0 < line <= len(lines):
        source = lines[line - 1].expandtabs(1)
        start = max(column - 1 - 60, 0)  # a window of the line around the column, not all of it
        before, after = source[start : max(column - 1, 0)], source[max(column - 1, 0) : max(column - 1, 0) + 60]
        shown = ("…" if start else "") + before
        text += f"\n    {shown}{after}{'…' if len(source) > column - 1 + 60 else ''}\n    {' ' * _width(shown)}^"
    error = QueryError(text)
    error.line = line  # type: ignore[attr-defined]
    error.column = column  # type: ignore[attr-defined]
    return error


#: Longer texts are not parsed again to tell an update apart (rdflib takes seconds per 100 KB).
UPDATE_CHECK_LIMIT = 64 * 1024


def is_update(sparql: str) -> bool:
    """True when ``sparql`` parses as a SPARQL 1.1 Update (INSERT, DELETE, LOAD, CLEAR, …).

    Texts over :data:`UPDATE_CHECK_LIMIT` characters are not parsed (False): this check runs
    on queries the engine already rejected, and must not cost more than they do.
    """
    if len(sparql) > UPDATE_CHECK_LIMIT:
        return False
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(sparql)
    except Exception:  # noqa: BLE001 - any parse failure means "not an update"
        return False
    return bool(getattr(parsed, "request", None))


# ---------------------------------------------------------------------------------------
# Bundled queries
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """A parameter of a bundled query, declared as ``# param: NAME KIND  help``.

    KIND says how a value is bound: ``text`` as a string; ``label`` as a "…"@zh literal (the
    graph's labels are Chinese), or, when the value is an IRI, to the variable after the bar
    (``label|entityIri``), so both hit an index instead of scanning; ``kg-term`` as an IRI,
    where a bare name such as ``hosts`` means ``kg:hosts``.
    """

    name: str
    kind: str
    help: str
    iri_variable: str | None = None


_READABLE_LINE = re.compile(r"#\s*readable:\s*\??(\w+)\s+\??(\w+)\s+\??(\w+)\s*$")
_PARAM_LINE = re.compile(r"#\s*param:\s*\??(?P<name>\w+)\s+(?P<kind>text|kg-term|label(?:\|\??\w+)?)(?:\s+(?P<help>.*))?$")


@dataclass(frozen=True)
class BundledQuery:
    """One analyst query shipped in ``kg/_data/queries``."""

    name: str
    description: str
    params: tuple[Param, ...]
    text: str
    readable: tuple[str, str, str] | None = None
    """``# readable: AMOUNT VALUE UNIT``: where ?AMOUNT is unbound (no surface text), it is
    filled with ?VALUE in ?UNIT as a reader writes it (1400万元, :func:`kg.quantity.format_quantity`)."""

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(param.name for param in self.params)

    def bind(self, bindings: Mapping[str, Any] | None) -> dict[str, Identifier]:
        """Engine bindings for parameter values given by name (see :class:`Param`)."""
        declared = {param.name: param for param in self.params}
        out: dict[str, Identifier] = {}
        for key, value in (bindings or {}).items():
            name = key.lstrip("?$")
            if name not in declared:
                takes = ", ".join("?" + param for param in declared) or "no parameters"
                raise UsageError(f"query {self.name} takes {takes}; got ?{name}")
            param = declared[name]
            term = _as_term(value)
            if param.kind == "label":
                if isinstance(term, URIRef):
                    if param.iri_variable is None:
                        raise UsageError(f"?{name} of query {self.name} takes a name, not an IRI")
                    out[param.iri_variable] = term
                    continue
                if isinstance(term, Literal) and term.language is None and term.datatype is None:
                    term = Literal(str(term), lang="zh")
            elif param.kind == "kg-term" and isinstance(term, Literal):
                term = _kg_term(str(term), f"?{name} of query {self.name}")
            out[name] = term
        return out


def _kg_term(text: str, what: str) -> URIRef:
    """``hosts`` → kg:hosts, ``rdfs:label`` → its IRI, an absolute IRI as it is."""
    text = text.strip().strip("<>")
    if "://" in text or text.startswith("urn:"):
        return URIRef(text)
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return URIRef(PREFIXES[prefix] + local)
    if not sep and re.fullmatch(r"[A-Za-z_][\w-]*", text):
        return URIRef(KG_NS + text)
    raise UsageError(f"{what}: {text!r} is not a property; write e.g. hosts, kg:hosts or a full IRI")


def _parse_bundled(name: str, text: str) -> BundledQuery:
    description = ""
    params = []
    readable = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        m = re.match(r"#\s*description:\s*(.+)", stripped)
        if m:
            description = m.group(1).strip()
        elif re.match(r"#\s*readable:", stripped):
            m = _READABLE_LINE.match(stripped)
            if not m:
                raise QueryError(f"bundled query {name}.rq: bad line {stripped!r}; write '# readable: AMOUNT VALUE UNIT'")
            readable = (m.group(1), m.group(2), m.group(3))
        elif re.match(r"#\s*param:", stripped):
            m = _PARAM_LINE.match(stripped)
            if not m:
                raise QueryError(f"bundled query {name}.rq: bad parameter line {stripped!r}; write '# param: NAME KIND  help'")
            kind, _, iri_variable = m.group("kind").partition("|")
            params.append(Param(m.group("name"), kind, (m.group("help") or "").strip(), iri_variable.lstrip("?") or None))
    if not description:
        raise QueryError(f"bundled query {name}.rq has no '# description:' line at the top")
    return BundledQuery(name, description, tuple(params), text, readable)


def bundled_queries() -> dict[str, BundledQuery]:
    """The bundled queries by name, sorted by name."""
    folder = resources.files("kg") / "_data" / "queries"
    queries = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".rq"):
            name = entry.name[: -len(".rq")]
            queries[name] = _parse_bundled(name, entry.read_text(encoding="utf-8"))
    return queries


def bundled(name: str) -> BundledQuery:
    """One bundled query; :class:`UsageError` with the closest names when there is none."""
    queries = bundled_queries()
    try:
        return queries[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(queries), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no bundled query named {name!r}{hint} (kg query --list shows them all)") from None


def run_bundled(
    source: Any,
    name: str,
    *,
    bindings: Mapping[str, Any] | None = None,
    engine: Engine | None = None,
    timeout: float | None = None,
) -> Results:
    """Run the bundled query ``name``; its parameter columns are left out of the results."""
    query = bundled(name)
    results = run(source, query.text, bindings=query.bind(bindings), engine=engine, timeout=timeout)
    if results.kind != "select":
        return results
    if query.readable:
        results = _fill_readable(results, *query.readable)
    return results.project([variable for variable in results.variables if variable not in query.param_names])


def _fill_readable(results: Results, amount: str, value: str, unit: str) -> Results:
    """``results`` with each unbound ``amount`` read out of ``value`` in ``unit`` (14000000 CNY → 1400万元)."""
    from .ontology import UNITS
    from .quantity import format_quantity

    if not {amount, value, unit} <= set(results.variables):
        return results
    at, value_at, unit_at = (results.variables.index(name) for name in (amount, value, unit))
    codes = {str(iri): code for code, iri in UNITS.items()}
    raw = []
    for row in results._raw:
        if row[at] is None and row[value_at] is not None:
            kind, text, _, _ = _parts(row[value_at])
            try:
                number = Decimal(text) if kind == "literal" else None
            except ArithmeticError:
                number = None  # not a number: nothing to read out
            if number is not None and number.is_finite():
                unit_iri = _parts(row[unit_at])[1] if row[unit_at] is not None else ""
                code = codes.get(unit_iri, re.split(r"[/#]", unit_iri)[-1])
                row = (*row[:at], Literal(format_quantity(number, code)), *row[at + 1 :])
        raw.append(row)
    return Results(results.kind, list(results.variables), results.boolean, results.graph, results.engine, results.seconds, raw)


def describe_bundled(queries: Iterable[BundledQuery] | None = None) -> str:
    """The ``kg query --list`` text: one line per query, then its parameters."""
    chosen = list(queries) if queries is not None else list(bundled_queries().values())
    width = max((len(query.name) for query in chosen), default=0)
    lines = []
    for query in chosen:
        lines.append(f"{query.name.ljust(width)}  {query.description}")
        for param in query.params:
            lines.append(f"{' ' * width}    --param {param.name}=…  {param.help}")
    return "\n".join(lines)
