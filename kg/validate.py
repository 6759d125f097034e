"""Check a graph against the SHACL shapes of kg, and read RDF files with useful errors.

The ontology and shapes ship as package data in ``kg/_data/`` (byte-identical copies of
``ontology/kg.ttl`` and ``ontology/shapes.ttl``; ``python -m kg.ontology_docs --sync``
refreshes them and a test keeps them from drifting).

pyshacl is imported lazily, so ``import kg.validate`` stays cheap.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.query import ResultRow
from rdflib.term import Identifier, Node

from kg.errors import GraphParseError, InputError, UsageError, ValidationError
from kg.ontology import KG_NS, short_iri
from kg.rdfio import (
    VOCABULARIES,
    _file_format,
    fill_graph,
    load_graph,
    ox_store,
    parse_rdf,
    prefix_map,
    to_ox,
    to_rdflib,
    union_triples,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

__all__ = [
    "ENGINES",
    "INFERENCE_MODES",
    "ValidationResult",
    "Violation",
    "ensure_valid",
    "format_report",
    "load_graph",
    "load_ontology",
    "load_shapes",
    "parse_rdf",
    "rdf_format_for",
    "validate",
]

#: Inference pyshacl may run before validating (see :func:`validate`).
INFERENCE_MODES: tuple[str, ...] = ("none", "rdfs", "owlrl", "both")

#: SHACL engines :func:`validate` can use: Oxigraph (compiled shapes), pyshacl, or the first that can.
ENGINES: tuple[str, ...] = ("auto", "oxigraph", "pyshacl")

_SHAPES_NS = VOCABULARIES["kgsh"]

#: Prefixes used to shorten IRIs in reports (the data graph's own prefixes come first).
_REPORT_PREFIXES: dict[str, str] = prefix_map(extra=("sh", "kgsh"))

_SEVERITY_MARK = {"Violation": "✗", "Warning": "⚠", "Info": "ℹ"}
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result, flattened for people and tests."""

    focus: Node
    """The focus node (usually the subject that breaks the shape)."""
    label: str | None
    """The focus node's ``rdfs:label`` in the data, if it has one."""
    path: Node | None
    """The property the result is about (``sh:resultPath``), if any."""
    component: str
    """The constraint in short form: ``sh:class``, ``sh:minCount``, ``sh:sparql`` …"""
    value: Node | None
    """The offending value (``sh:value``), if any."""
    message: str
    """What is wrong, in words."""
    severity: str = "Violation"
    """``Violation``, ``Warning`` or ``Info``."""
    shape: Node | None = None
    """The shape that produced the result."""


@dataclass
class ValidationResult:
    """The outcome of :func:`validate`."""

    conforms: bool
    """True when there is no result of severity Violation (warnings are allowed)."""
    violations: list[Violation]
    """Every result, Violations first, in a stable order."""
    report_graph: Graph
    """The SHACL validation report as pyshacl produced it."""
    prefixes: dict[str, str] = field(default_factory=dict)
    """Prefix → namespace used by :func:`format_report` to shorten IRIs."""

    @property
    def errors(self) -> list[Violation]:
        """Results of severity Violation only."""
        return [v for v in self.violations if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        """Results of severity Warning or Info."""
        return [v for v in self.violations if v.severity != "Violation"]


# ---------------------------------------------------------------------------------------
# Reading RDF
# ---------------------------------------------------------------------------------------


def rdf_format_for(path: str | os.PathLike[str]) -> str:
    """The rdflib parser name for a file, chosen by its suffix."""
    return _file_format(path, None).rdflib


# ---------------------------------------------------------------------------------------
# Package data
# ---------------------------------------------------------------------------------------


def _data_text(name: str) -> str:
    """The text of a file in the ``kg/_data`` package directory."""
    resource = resources.files("kg") / "_data" / name
    try:
        return resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"kg/_data/{name}",
            "package data missing; reinstall kg, or run `python -m kg.ontology_docs --sync` in a checkout",
        ) from None


def load_ontology() -> Graph:
    """The kg OWL ontology (``ontology/kg.ttl``) as shipped with the package."""
    return parse_rdf(_data_text("kg.ttl"), "turtle", source="kg/_data/kg.ttl", base=KG_NS)


def load_shapes(path: str | os.PathLike[str] | None = None) -> Graph:
    """The SHACL shapes: the packaged ``ontology/shapes.ttl``, or the file at ``path``."""
    if path is not None:
        return load_graph(path)
    return parse_rdf(_data_text("shapes.ttl"), "turtle", source="kg/_data/shapes.ttl", base=_SHAPES_NS)


def _inference_ontology() -> Graph:
    """The ontology without rdfs:domain / rdfs:range axioms.

    Inference over domains and ranges would *type* a wrongly used node (a metric that
    ``kg:hosts`` something would become a kg:Park) and hide exactly the errors the shapes
    look for. Subclasses, subproperties and inverses are kept.
    """
    ontology = load_ontology()
    ontology.remove((None, RDFS.domain, None))
    ontology.remove((None, RDFS.range, None))
    return ontology


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------


def validate(
    data: Graph | pyoxigraph.Store,
    *,
    shapes: Graph | None = None,
    inference: str = "none",
    batch_sparql: bool = True,
    engine: str = "auto",
    union: bool = False,
    progress: Callable[[int, int], None] | None = None,
    threads: int = 2,
) -> ValidationResult:
    """Validate ``data`` (an rdflib Graph or a pyoxigraph Store) against the kg shapes (or ``shapes``).

    ``engine`` is one of :data:`ENGINES`. ``"oxigraph"`` compiles the shapes to SPARQL that
    Oxigraph runs once per constraint over the whole graph (:mod:`kg.shacl`): linear in the
    graph, and a Store is never copied into rdflib. ``"pyshacl"`` is the reference
    implementation, node by node (minutes on a graph of 100,000 triples). ``"auto"`` (the
    default) uses Oxigraph unless inference is asked for or the shapes use a feature it does
    not compile. ``union`` says a Store's named graphs together are the data.

    ``inference`` is one of :data:`INFERENCE_MODES`; with anything but ``"none"`` a copy
    of the data plus the ontology (minus domain and range axioms) is expanded first (pyshacl).
    Warnings do not make the graph non-conforming.

    pyshacl runs a node shape's ``sh:sparql`` constraint once per focus node, re-parsing
    the query each time, which grows quadratically with the graph. With ``batch_sparql``
    (the default) such constraints run once over the whole graph instead and their results
    are merged into the report; ``batch_sparql=False`` leaves everything to pyshacl.
    ``progress(done, total)`` is called after each compiled constraint has run; ``threads``
    of those run at once (Oxigraph uses a core for each).
    """
    if inference not in INFERENCE_MODES:
        raise UsageError(f"unknown inference {inference!r}; use one of {', '.join(INFERENCE_MODES)}")
    if engine not in ENGINES:
        raise UsageError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    shapes_graph = shapes if shapes is not None else load_shapes()
    if engine == "oxigraph" and inference != "none":
        raise UsageError(f"--inference {inference} needs the pyshacl engine; the oxigraph engine does not infer")
    if engine != "pyshacl" and inference == "none":
        fast = _validate_oxigraph(
            data, shapes_graph, union=union, progress=progress, strict=engine == "oxigraph", threads=threads
        )
        if fast is not None:
            return fast
    if isinstance(data, Graph):
        graph = data
    else:  # with ``union`` the data is every graph, the default one included (as Oxigraph reads it)
        graph = fill_graph(Graph(), union_triples(data, named=False))
        if union:
            fill_graph(graph, union_triples(data, named=True))
    return _validate_pyshacl(graph, shapes_graph, inference, batch_sparql)


def _validate_pyshacl(data: Graph, shapes_graph: Graph, inference: str, batch_sparql: bool) -> ValidationResult:
    """The check by pyshacl (with kg's batched SPARQL constraints unless ``batch_sparql`` is off)."""
    import pyshacl  # lazy: heavy import
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

    infer = inference != "none"
    # With inference pyshacl expands a copy in place, so the batched SPARQL sees the result.
    target = _copy(data) if infer else data
    core_shapes, checks = _split_sparql(shapes_graph) if batch_sparql else (shapes_graph, [])
    try:
        conforms, report_graph, _ = pyshacl.validate(
            target,
            shacl_graph=core_shapes,
            ont_graph=_inference_ontology() if infer else None,
            inference=inference,
            inplace=infer,
            advanced=True,
            allow_warnings=True,
        )
    except (ShapeLoadError, ConstraintLoadError) as exc:
        raise GraphParseError(f"shapes: not valid SHACL: {exc.message}") from exc
    except ReportableRuntimeError as exc:
        raise ValidationError(f"validation could not run: {exc.message}") from exc
    if not isinstance(report_graph, Graph):  # pyshacl returns a ValidationFailure for bad shapes
        reason = getattr(report_graph, "message", report_graph)
        raise GraphParseError(f"shapes: not valid SHACL: {reason}")
    if checks and not _run_sparql_checks(checks, target, report_graph):
        conforms = False
    prefixes = _prefixes_of(data)
    return ValidationResult(
        conforms=bool(conforms),
        violations=_violations(report_graph, lambda node: _label_of(target, node), prefixes),
        report_graph=report_graph,
        prefixes=prefixes,
    )


def _validate_oxigraph(
    data: Graph | pyoxigraph.Store,
    shapes_graph: Graph,
    *,
    union: bool,
    progress: Callable[[int, int], None] | None,
    strict: bool,
    threads: int = 2,
) -> ValidationResult | None:
    """The check by shapes compiled to SPARQL (:mod:`kg.shacl`); None when it cannot run and
    ``strict`` is off (shapes it does not compile, terms Oxigraph rejects)."""
    import pyoxigraph as ox

    from .shacl import compile_shapes, run_checks

    if isinstance(data, Graph):
        try:
            store = ox_store(data)
        except (ValueError, TypeError) as error:
            if strict:
                raise ValidationError(f"the graph cannot go into Oxigraph ({error}); use the pyshacl engine") from None
            return None
        prefixes = _prefixes_of(data)
        union = False
    else:
        store, prefixes = data, dict(_REPORT_PREFIXES)
    try:
        checks = compile_shapes(shapes_graph, store, union=union)
    except UsageError:
        if strict:
            raise
        return None
    report = Graph()
    report_node = BNode()
    report.add((report_node, RDF.type, SH.ValidationReport))
    conforms = True
    copied: dict[Node, Node] = {}
    for finding in run_checks(checks, store, union=union, progress=progress, threads=threads):
        check = finding.check
        result = BNode()
        report.add((report_node, SH.result, result))
        report.add((result, RDF.type, SH.ValidationResult))
        report.add((result, SH.focusNode, finding.focus))
        if finding.path is not None:
            report.add((result, SH.resultPath, _copy_node(shapes_graph, finding.path, report, copied)))
        if finding.value is not None:
            report.add((result, SH.value, finding.value))
        report.add((result, SH.resultSeverity, check.severity))
        report.add((result, SH.sourceConstraintComponent, finding.component))
        report.add((result, SH.sourceShape, check.shape))
        if check.constraint is not None:
            report.add((result, SH.sourceConstraint, check.constraint))
        messages = check.messages or (Literal(f"{_short_component(finding.component)} not satisfied"),)
        for message in messages:
            report.add(
                (result, SH.resultMessage, Literal(_substitute(str(message), finding.bindings), lang=message.language))
            )
        if check.severity == SH.Violation:
            conforms = False
    report.add((report_node, SH.conforms, Literal(conforms)))

    def label_of(node: Node) -> str | None:
        if isinstance(node, Literal):
            return None
        labels = [
            to_rdflib(q.object)
            for q in store.quads_for_pattern(
                to_ox(node), ox.NamedNode(str(RDFS.label)), None, None if union else ox.DefaultGraph()
            )
        ]
        return _best_label(labels)

    return ValidationResult(
        conforms=conforms, violations=_violations(report, label_of, prefixes), report_graph=report, prefixes=prefixes
    )


def _copy_node(source: Graph, node: Node, target: Graph, copied: dict[Node, Node]) -> Node:
    """``node`` with everything below it (a path's blank nodes and lists) copied into ``target``."""
    if not isinstance(node, BNode):
        return node
    if node in copied:
        return copied[node]
    fresh = copied[node] = BNode()
    for predicate, obj in source.predicate_objects(node):
        target.add((fresh, predicate, _copy_node(source, obj, target, copied)))
    return fresh


def _copy(graph: Graph) -> Graph:
    """A shallow copy of ``graph`` with its prefixes."""
    copy = Graph()
    for prefix, ns in graph.namespaces():
        copy.bind(prefix, ns, override=False)
    for triple in graph:
        copy.add(triple)
    return copy


# --- SPARQL constraints, evaluated once per constraint instead of once per focus node -------

_TARGET_PREDICATES = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
_UNBATCHABLE_VARIABLES = ("$shapesGraph", "$currentShape", "$PATH", "?shapesGraph", "?currentShape")


@dataclass(frozen=True)
class _SparqlCheck:
    """One ``sh:sparql`` SELECT constraint of a node shape, ready to run over a whole graph."""

    shape: Node
    constraint: Node
    query: str
    targets: tuple[tuple[URIRef, Node], ...]
    severity: Node
    messages: tuple[Literal, ...]


def _split_sparql(shapes: Graph) -> tuple[Graph, list[_SparqlCheck]]:
    """Shapes without the batchable SPARQL constraints, and those constraints."""
    checks: list[_SparqlCheck] = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        if (
            (shape, SH.path, None) in shapes  # property shape: $PATH and value nodes differ
            or (shape, SH.target, None) in shapes
            or (shape, RDF.type, RDFS.Class) in shapes  # implicit class target
            or _is_true(shapes.value(shape, SH.deactivated))
            or _is_true(shapes.value(constraint, SH.deactivated))
            or not isinstance(select, Literal)
            or "this" not in _projected_variables(str(select))
            or any(v in str(select) for v in _UNBATCHABLE_VARIABLES)
            or re.search(r"\b(VALUES|MINUS|SERVICE)\b", str(select), re.IGNORECASE)  # not allowed: pyshacl reports it
        ):
            continue
        targets = tuple((p, o) for p in _TARGET_PREDICATES for o in shapes.objects(shape, p))
        if not targets:
            continue
        prefixes = _declared_prefixes(shapes, constraint)
        query = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items())) + str(select)
        messages = tuple(m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal))
        if not messages:
            messages = tuple(m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal))
        severity = shapes.value(shape, SH.severity) or SH.Violation
        checks.append(_SparqlCheck(shape, constraint, query, targets, severity, messages))
    if not checks:
        return shapes, []
    core = _copy(shapes)
    for check in checks:
        core.remove((check.shape, SH.sparql, check.constraint))
    return core, checks


def _is_true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _projected_variables(select: str) -> set[str]:
    """Variable names between SELECT and WHERE (``$x`` and ``?x`` are the same variable)."""
    m = re.search(r"\bSELECT\b(.*?)\bWHERE\b", select, re.IGNORECASE | re.DOTALL)
    return set(re.findall(r"[?$](\w+)", m.group(1))) if m else set()


def _declared_prefixes(shapes: Graph, constraint: Node) -> dict[str, str]:
    """``sh:prefixes`` / ``sh:declare`` of a SPARQL constraint."""
    prefixes: dict[str, str] = {}
    for owner in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(owner, SH.declare):
            prefix = shapes.value(decl, SH.prefix)
            namespace = shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                prefixes[str(prefix)] = str(namespace)
    return prefixes


def _focus_nodes(data: Graph, targets: Iterable[tuple[URIRef, Node]]) -> set[Node]:
    """The focus nodes of a shape's targets (class targets include subclasses)."""
    nodes: set[Node] = set()
    for pred, obj in targets:
        if pred == SH.targetClass:
            seen: set[Node] = set()
            todo = [obj]
            while todo:
                cls = todo.pop()
                if cls in seen:
                    continue
                seen.add(cls)
                nodes.update(data.subjects(RDF.type, cls))
                todo.extend(data.subjects(RDFS.subClassOf, cls))
        elif pred == SH.targetSubjectsOf:
            nodes.update(data.subjects(obj, None))
        elif pred == SH.targetObjectsOf:
            nodes.update(data.objects(None, obj))
        elif pred == SH.targetNode:
            nodes.add(obj)
    return nodes


def _run_sparql_checks(checks: list[_SparqlCheck], data: Graph, report: Graph) -> bool:
    """Run each check once over ``data``; add its results to ``report``; True if no Violation."""
    report_node = next(iter(report.subjects(RDF.type, SH.ValidationReport)), None)
    if report_node is None:
        report_node = BNode()
        report.add((report_node, RDF.type, SH.ValidationReport))
    ok = True
    engine = _SparqlEngine(data)
    for check in checks:
        focus = _focus_nodes(data, check.targets)
        if not focus:
            continue
        try:
            rows = engine.select(check.query)
        except Exception as exc:
            raise GraphParseError(f"shapes: SPARQL constraint of {check.shape} does not run: {exc}") from exc
        seen: set[tuple[Node | None, ...]] = set()
        for bindings in rows:
            this = bindings.get("this")
            if this is None or this not in focus:
                continue
            path = bindings.get("path")
            value = bindings.get("value", this)
            key = (this, path, value)
            if key in seen:
                continue
            seen.add(key)
            result = BNode()
            report.add((report_node, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.focusNode, this))
            if path is not None:
                report.add((result, SH.resultPath, path))
            report.add((result, SH.value, value))
            report.add((result, SH.resultSeverity, check.severity))
            report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
            report.add((result, SH.sourceShape, check.shape))
            report.add((result, SH.sourceConstraint, check.constraint))
            for message in check.messages:
                text = _substitute(str(message), bindings)
                report.add((result, SH.resultMessage, Literal(text, lang=message.language)))
            if check.severity == SH.Violation:
                ok = False
    if not ok:
        report.set((report_node, SH.conforms, Literal(False)))
    return ok


class _SparqlEngine:
    """Runs SELECT queries over an rdflib graph, through pyoxigraph when it can.

    rdflib evaluates ``FILTER NOT EXISTS`` by rescanning, which is quadratic on big graphs;
    oxigraph is not. Graphs oxigraph cannot hold (e.g. IRIs it rejects) fall back to rdflib.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._store: Any = None
        self._tried = False

    def _load(self) -> Any:
        if self._tried:
            return self._store
        self._tried = True
        try:
            store = ox_store(self.graph)  # rdflib's blank node ids are Oxigraph's too
        except (ValueError, TypeError):
            return None
        self._store = store
        return store

    def _back(self, term: Any) -> Identifier:
        return to_rdflib(term)

    def select(self, query: str) -> list[dict[str, Identifier]]:
        """The rows of a SELECT query, each a dict of variable name → rdflib term."""
        store = self._load()
        if store is not None:
            solutions = store.query(query)
            names = [v.value for v in solutions.variables]
            rows = []
            for solution in solutions:
                row: dict[str, Identifier] = {}
                for name in names:
                    value = solution[name]
                    if value is not None:
                        row[name] = self._back(value)
                rows.append(row)
            return rows
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return [row.asdict() for row in self.graph.query(query) if isinstance(row, ResultRow)]  # SELECT rows only


def _substitute(message: str, bindings: Mapping[str, Node]) -> str:
    """Fill ``{?var}`` / ``{$var}`` in a SHACL message from a result row."""

    def fill(m: re.Match[str]) -> str:
        value = bindings.get(m.group(1))
        return str(value) if value is not None else m.group(0)

    return re.sub(r"\{[?$](\w+)\}", fill, message)


def ensure_valid(data: Graph, *, shapes: Graph | None = None, inference: str = "none") -> ValidationResult:
    """Like :func:`validate`, but raise :class:`ValidationError` (with the report) if it fails."""
    result = validate(data, shapes=shapes, inference=inference)
    if not result.conforms:
        raise ValidationError(format_report(result))
    return result


def _violations(report: Graph, label_of: Callable[[Node], str | None], prefixes: dict[str, str]) -> list[Violation]:
    """Flatten the sh:ValidationResult nodes of a report."""
    found: list[Violation] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if focus is None:
            continue
        severity_iri = report.value(result, SH.resultSeverity)
        severity = str(severity_iri).removeprefix(str(SH)) if severity_iri is not None else "Violation"
        messages = [m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]
        message = _pick_message(messages)
        component = report.value(result, SH.sourceConstraintComponent)
        path = report.value(result, SH.resultPath)
        found.append(
            Violation(
                focus=focus,
                label=label_of(focus),
                path=_copy_path(report, path, prefixes),
                component=_short_component(component),
                value=report.value(result, SH.value),
                message=message,
                severity=severity,
                shape=report.value(result, SH.sourceShape),
            )
        )
    found.sort(
        key=lambda v: (
            _SEVERITY_ORDER.get(v.severity, 9),
            str(v.focus),
            str(v.path) if isinstance(v.path, URIRef) else "",
            v.component,
            str(v.value),
            v.message,
        )
    )
    return found


def _pick_message(messages: list[Literal]) -> str:
    """The English message if there are several languages, else the first one."""
    if not messages:
        return ""
    for wanted in ("en", None):
        for m in messages:
            if m.language == wanted:
                return str(m)
    return str(messages[0])


def _label_of(data: Graph, node: Node) -> str | None:
    """The node's rdfs:label in ``data``, preferring a @zh one."""
    return _best_label(list(data.objects(node, RDFS.label)))


def _best_label(found: list[Node]) -> str | None:
    """The @zh label of several, else the first by text."""
    labels = [o for o in found if isinstance(o, Literal)]
    if not labels:
        return None
    labels.sort(key=lambda lit: (lit.language != "zh", str(lit)))
    return str(labels[0])


def _copy_path(report: Graph, path: Node | None, prefixes: dict[str, str]) -> Node | None:
    """Keep simple IRI paths; render complex (blank node) paths as a literal such as
    ``kg:sentence/kg:inArticle``."""
    if path is None or isinstance(path, URIRef):
        return path
    from .shacl import sparql_path

    return Literal(sparql_path(report, path, lambda iri: _short(iri, prefixes)))


def _short_component(component: Node | None) -> str:
    """``sh:ClassConstraintComponent`` → ``sh:class``; SPARQL constraints → ``sh:sparql``."""
    if component is None:
        return "?"
    text = str(component)
    if not text.startswith(str(SH)):
        return text
    name = text[len(str(SH)) :].removesuffix("ConstraintComponent")
    if name == "SPARQL":
        return "sh:sparql"
    return "sh:" + name[:1].lower() + name[1:]


def _prefixes_of(data: Graph) -> dict[str, str]:
    """The report prefixes, with the data graph's own bindings taking precedence."""
    prefixes = dict(_REPORT_PREFIXES)
    taken = set(prefixes.values())
    for prefix, ns in data.namespaces():
        ns_text = str(ns)
        if prefix and ns_text not in taken and prefix not in prefixes:
            prefixes[prefix] = ns_text
            taken.add(ns_text)
    return prefixes


# ---------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------


def format_report(result: ValidationResult, *, max_value_chars: int = 40) -> str:
    """Readable lines, one per result, and a summary line (``N violations`` or ``conforms``).

    Example: ``✗ 南昌高新区 (park:南昌高新区)  kg:hosts → metric:park-1: value must be
    a kg:Enterprise (sh:class)``.
    """
    prefixes = result.prefixes or dict(_REPORT_PREFIXES)
    lines: list[str] = []
    for v in result.violations:
        mark = _SEVERITY_MARK.get(v.severity, "?")
        focus = _short(v.focus, prefixes)
        head = f"{mark} {v.label} ({focus})" if v.label else f"{mark} {focus}"
        where = ""
        if v.path is not None:
            where = _short(v.path, prefixes)
            if v.value is not None and v.value != v.focus:
                where += " → " + _render_value(v.value, prefixes, max_value_chars)
        elif v.value is not None and v.value != v.focus:
            where = _render_value(v.value, prefixes, max_value_chars)
        body = f"{where}: {v.message}" if where else v.message
        lines.append(f"{head}  {body} ({v.component})")
    n_errors = len(result.errors)
    n_warnings = len(result.warnings)
    summary = f"{n_errors} violation" + ("" if n_errors == 1 else "s") if n_errors else "conforms"
    if n_warnings:
        summary += f" ({n_warnings} warning" + ("" if n_warnings == 1 else "s") + ")"
    lines.append(summary)
    return "\n".join(lines)


def _short(node: Node, prefixes: dict[str, str]) -> str:
    """An IRI as it can be pasted into a query (:func:`~kg.ontology.short_iri`); literals and
    blank nodes as N3."""
    if isinstance(node, URIRef):
        return short_iri(str(node), prefixes)
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return str(node)
    return str(node)


def _render_value(node: Node, prefixes: dict[str, str], limit: int) -> str:
    """A value for a report line: short IRIs, quoted and truncated literals."""
    if not isinstance(node, Literal):
        return _short(node, prefixes)
    text = str(node)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    rendered = json.dumps(text, ensure_ascii=False)
    if node.language:
        rendered += f"@{node.language}"
    elif node.datatype is not None and node.datatype != XSD.string:
        rendered += "^^" + _short(node.datatype, prefixes)
    return rendered
