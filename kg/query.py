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

import difflib
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any
from typing import Literal as TypingLiteral

from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier

from .errors import QueryError, QueryTimeout, UsageError
from .ontology import KG_NS, expand_iri, short_iri
from .rdfio import (
    FORMATS,
    PREFIXES,
    ToRdflib,
    check_readable,
    load_graph,
    load_store,
    ox_store,
    rdf_format,
    result_format,
    to_ox,
    to_rdflib,
)
from .rdfio import RESULT_FORMATS as RESULTS

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = [
    "PREFIXES",
    "RESULT_FORMATS",
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
    "parse_param",
    "run",
    "run_bundled",
    "syntax_error",
]

#: Formats of :meth:`Results.serialize`: SPARQL results formats, a terminal table, RDF for graphs.
RESULT_FORMATS = (*RESULTS, *(name for name in FORMATS if name != "n3"))

_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = str(RDF.langString)
_NUMERIC = {
    str(XSD[name])
    for name in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "byte",
    )
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
        converted = to_rdflib(value, restore=False)
        assert converted is not None
        return converted
    if isinstance(value, (str, int, float, Decimal, bool)):
        return Literal(value)
    raise UsageError(f"cannot bind a {type(value).__name__} ({value!r}); use a string, a number or an rdflib term")


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
    _rows: list[tuple[Identifier | None, ...]] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[tuple[Identifier | None, ...]]:
        """Rows of rdflib terms, in the order of :attr:`variables`."""
        if self._rows is None:
            convert = ToRdflib(restore=False)
            self._rows = [tuple(None if term is None else convert(term) for term in row) for row in self._raw]
        return self._rows

    def __len__(self) -> int:
        if self.kind == "graph":
            return len(self.graph) if self.graph is not None else 0
        if self.kind == "ask":
            return 1
        return len(self._raw)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ask" else len(self) > 0

    def __iter__(self) -> Iterator[dict[str, Identifier]]:
        for row in self.rows:
            yield {name: value for name, value in zip(self.variables, row, strict=True) if value is not None}

    def column(self, name: str) -> list[Identifier | None]:
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
        return Results(
            self.kind, [self.variables[i] for i in indexes], self.boolean, self.graph, self.engine, self.seconds, raw
        )

    def records(self, *, compact: bool = False) -> list[dict[str, Any]]:
        """One dict of plain Python values per row (unbound variables are None).

        With ``compact``, IRIs are shortened as in :meth:`table` (``unit:CCY_CNY``,
        ``park:常州高新区``).
        """
        namespaces = _namespaces(None) if compact else None
        return [
            {
                name: _compact(term, namespaces)
                if namespaces is not None and term is not None and _parts(term)[0] == "uri"
                else _to_python(term)
                for name, term in zip(self.variables, row, strict=True)
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
        """Text in one of :data:`RESULT_FORMATS`: a SPARQL results format (json, xml, csv, tsv,
        written by rdflib's ``Result.serialize``, TSV by pyoxigraph), the table, or RDF for graphs."""
        if self.kind == "graph":
            assert self.graph is not None
            name = {"table": "turtle", "json": "json-ld", "csv": "nt", "tsv": "nt"}.get(format.lower(), format)
            try:
                fmt = rdf_format(name)
            except UsageError:
                raise UsageError(
                    f"a CONSTRUCT/DESCRIBE result is a graph; choose an RDF format ({', '.join(FORMATS)}), not {format!r}"
                ) from None
            graph = self.graph
            if fmt.named_graphs:  # the result is one graph: TriG and N-Quads write it as the default graph
                graph = Dataset()
                for prefix, namespace in self.graph.namespaces():
                    graph.bind(prefix, namespace, override=True)
                graph.default_context += self.graph
            return graph.serialize(format=fmt.rdflib)
        chosen = result_format(format)
        if chosen.name == "table":
            return self.table(prefixes=prefixes, max_width=max_width)
        result = self._rdflib_result()
        if chosen.name == "tsv":  # rdflib writes no TSV: pyoxigraph re-writes rdflib's JSON
            import pyoxigraph as ox

            parsed = ox.parse_query_results(result.serialize(format="json"), ox.QueryResultsFormat.JSON)
            return parsed.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")  # type: ignore[union-attr]
        return result.serialize(format=chosen.name, encoding="utf-8").decode("utf-8")  # type: ignore[union-attr]

    def _rdflib_result(self) -> Result:
        """These results as an rdflib ``Result``, for its standard serialisers."""
        result = Result("ASK" if self.kind == "ask" else "SELECT")
        if self.kind == "ask":
            result.askAnswer = bool(self.boolean)
            return result
        names = [Variable(name) for name in self.variables]
        result.vars = names
        result.bindings = [
            {name: term for name, term in zip(names, row, strict=True) if term is not None} for row in self.rows
        ]
        return result

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
        widths = (
            [max([_width(text) for text in column] or [0]) for column in zip(header, *body, strict=True)]
            if header
            else []
        )
        lines = [" | ".join(_pad(text, width) for text, width in zip(header, widths, strict=True)).rstrip()]
        lines.append("-+-".join("-" * width for width in widths))
        for cells in body:
            lines.append(" | ".join(_pad(text, width) for text, width in zip(cells, widths, strict=True)).rstrip())
        count = len(body)
        lines.append(f"({count} row{'s' if count != 1 else ''})")
        return "\n".join(lines)


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
            return _run_oxigraph(ox_store(source), sparql, terms, names, deadline)
        return _run_rdflib(source, sparql, terms, names, deadline)
    if isinstance(source, (str, os.PathLike, list, tuple)):
        if engine == "rdflib":
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


def _run_oxigraph(
    store: Any, sparql: str, bindings: dict[str, Identifier], prefixes: dict[str, str], deadline: float | None
) -> Results:
    import pyoxigraph as ox

    started = time.perf_counter()
    try:
        substitutions = {ox.Variable(name): to_ox(term) for name, term in bindings.items()}
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
            raise UsageError(
                f"the query does not SELECT ?{m.group(1)}, so it cannot be bound; add it to the SELECT clause"
            ) from None
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
        convert = ToRdflib(restore=False)
        for count, triple in enumerate(answer):
            if deadline is not None and count % 256 == 0:
                _check_deadline(deadline, count)
            graph.add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
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


def _run_rdflib(
    graph: Graph, sparql: str, bindings: dict[str, Identifier], prefixes: dict[str, str], deadline: float | None
) -> Results:
    from pyparsing import ParseException

    started = time.perf_counter()
    try:
        answer = graph.query(sparql, initNs=prefixes, initBindings=bindings or None)
        kind = answer.type
        if kind == "ASK":
            return Results(
                "ask", boolean=bool(answer.askAnswer), engine="rdflib", seconds=time.perf_counter() - started
            )
        if kind in ("CONSTRUCT", "DESCRIBE"):
            result_graph = _namespaced_graph(prefixes)
            for triple in answer.graph or []:
                result_graph.add(triple)
            return Results("graph", graph=result_graph, engine="rdflib", seconds=time.perf_counter() - started)
        variables = [str(variable) for variable in answer.vars or []]
        raw: list[tuple[Any, ...]] = []
        for row in answer:
            if deadline is not None and len(raw) % 256 == 0:
                _check_deadline(deadline, len(raw))
            assert isinstance(row, ResultRow)  # a SELECT: ASK and CONSTRUCT returned above
            raw.append(tuple(row))
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
    error.line = line
    error.column = column
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
_PHRASE_LINE = re.compile(r"#\s*phrase:\s*\??(\w+)\s+\??(\w+)\s*$")
_PARAM_LINE = re.compile(
    r"#\s*param:\s*\??(?P<name>\w+)\s+(?P<kind>text|kg-term|label(?:\|\??\w+)?)(?:\s+(?P<help>.*))?$"
)


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
    phrase: tuple[str, str] | None = None
    """``# phrase: RULE HOW``: ?HOW is filled with what the rule id in ?RULE means, in words
    (同篇报道推断 inferred from the same article; :mod:`kg.extract.rules`)."""

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
    phrase = None
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
                raise QueryError(
                    f"bundled query {name}.rq: bad line {stripped!r}; write '# readable: AMOUNT VALUE UNIT'"
                )
            readable = (m.group(1), m.group(2), m.group(3))
        elif re.match(r"#\s*phrase:", stripped):
            m = _PHRASE_LINE.match(stripped)
            if not m:
                raise QueryError(f"bundled query {name}.rq: bad line {stripped!r}; write '# phrase: RULE HOW'")
            phrase = (m.group(1), m.group(2))
        elif re.match(r"#\s*param:", stripped):
            m = _PARAM_LINE.match(stripped)
            if not m:
                raise QueryError(
                    f"bundled query {name}.rq: bad parameter line {stripped!r}; write '# param: NAME KIND  help'"
                )
            kind, _, iri_variable = m.group("kind").partition("|")
            params.append(
                Param(m.group("name"), kind, (m.group("help") or "").strip(), iri_variable.lstrip("?") or None)
            )
    if not description:
        raise QueryError(f"bundled query {name}.rq has no '# description:' line at the top")
    return BundledQuery(name, description, tuple(params), text, readable, phrase)


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
    if query.phrase:
        results = _fill_phrase(results, *query.phrase)
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
    return Results(
        results.kind, list(results.variables), results.boolean, results.graph, results.engine, results.seconds, raw
    )


def _fill_phrase(results: Results, rule: str, how: str) -> Results:
    """``results`` with ``how`` saying in words what the rule id in ``rule`` means, and why an
    inferred link was inferred (an unknown rule, from another version, leaves it unbound)."""
    from .extract.rules import reading

    if not {rule, how} <= set(results.variables):
        return results
    rule_at, how_at = results.variables.index(rule), results.variables.index(how)
    raw = []
    for row in results._raw:
        known = reading(_parts(row[rule_at])[1]) if row[rule_at] is not None else None
        if known is not None:
            # An inferred link's reason already opens with how it was inferred (由名称推断：…).
            words = f"{known.why_zh} ({known.why_en})" if known.inferred else f"{known.zh} ({known.en})"
            row = (*row[:how_at], Literal(words), *row[how_at + 1 :])
        raw.append(row)
    return Results(
        results.kind, list(results.variables), results.boolean, results.graph, results.engine, results.seconds, raw
    )


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
