"""A SHACL check that runs in Oxigraph: the shapes compiled to SPARQL, one query per constraint.

pyshacl walks the graph in Python, node by node, and on a graph of a few hundred thousand
triples spends minutes (a 2.6-million-triple graph did not finish in 25). Here each constraint
of each shape becomes one SELECT that Oxigraph runs once over the whole data, using its
indexes: the time grows with the graph, and nothing is copied into rdflib. Before the checks,
one screen per node shape (see ``_Compiler.screen``) reads its focus nodes once and clears the
checks it covers when it finds nothing, and the classes' screens' counts clear domain shapes
(:class:`Domain`); a check nothing cleared runs, so the findings are the same either way.

What is compiled (everything ``ontology/shapes.ttl`` uses, and a little more):

- targets: ``sh:targetClass`` (with the data's ``rdfs:subClassOf``), ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``, ``sh:targetNode``; property shapes under ``sh:property``;
- paths: IRIs, sequences, ``sh:inversePath``, ``sh:alternativePath``, ``sh:zeroOrMorePath``,
  ``sh:oneOrMorePath``, ``sh:zeroOrOnePath``;
- value constraints: ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:in``,
  ``sh:languageIn``, ``sh:pattern``, ``sh:minInclusive``/``maxInclusive``/``minExclusive``/
  ``maxExclusive``, ``sh:minLength``/``maxLength``, ``sh:hasValue``, and ``sh:or``/``sh:and``/
  ``sh:not``/``sh:xone`` over shapes made of those;
- counts: ``sh:minCount``, ``sh:maxCount``, ``sh:qualifiedValueShape`` with
  ``sh:qualifiedMinCount``/``qualifiedMaxCount``;
- pairs: ``sh:equals``, ``sh:disjoint``, ``sh:lessThan``, ``sh:lessThanOrEquals``;
- ``sh:sparql`` SELECT constraints of node shapes, run once and kept for the focus nodes.

:func:`run_checks` runs the queries on a few threads (Oxigraph releases the GIL), the
findings still in the order of the checks.

Shapes using anything else (``sh:closed``, ``sh:node``, nested property shapes inside
``sh:or`` …) raise :class:`~kg.errors.UsageError` from :func:`compile_shapes`;
:func:`kg.validate.validate` then lets pyshacl, the reference, do the whole check.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from .errors import GraphParseError, UsageError
from .rdfio import ToRdflib, select, to_ox

__all__ = ["Check", "Domain", "Finding", "compile_shapes", "run_checks"]

_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
#: Predicates of a shape that are not constraints (or that another component reads).
_NOT_CONSTRAINTS = frozenset(
    {
        RDF.type, RDFS.label, RDFS.comment, SH.message, SH.severity, SH.deactivated, SH.name, SH.description,
        SH.order, SH.group, SH.path, SH.property, SH.sparql, SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount,
        SH.qualifiedValueShapesDisjoint, SH.defaultValue, SH.prefixes, SH.declare, *_TARGETS,
    }
)  # fmt: skip
#: Lexical forms of the datatypes whose ill-formed literals SHACL reports (others: any text).
_LEXICAL: dict[Node, str] = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
    XSD.boolean: r"^(true|false|1|0)$",
    XSD.gYear: r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
}
_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPARISONS: dict[Node, str] = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
_PAIRS: dict[Node, str] = {SH.lessThan: "<", SH.lessThanOrEquals: "<="}
#: Constraints a screen tests value by value, in the expressions :meth:`_Compiler.value_test` writes.
_VALUE_TESTS = frozenset(
    {SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.languageIn, SH.pattern, *_COMPARISONS, SH.minLength,
     SH.maxLength, SH["or"], SH["and"], SH["not"], SH.xone}
)  # fmt: skip
#: Property shapes whose counts share one query: each adds a set of values per focus node to
#: Oxigraph's GROUP BY (all eight of kg:Evidence's at once took 280 MB more on 10,000 articles).
COUNTED_TOGETHER = 3
#: Queries :func:`run_checks` runs at once: Oxigraph releases the GIL while it evaluates one,
#: so each thread has a core (10,000 articles, 2 cores: 25.6 s on one thread, 17.4 s on two).
THREADS = 2
_FALSE = ox.Literal("false", datatype=ox.NamedNode(str(XSD.boolean)))


@dataclass(frozen=True)
class Domain:
    """What clears a domain shape's check (the subjects of some predicates must be instances of
    some classes) without reading those subjects' types: the screens of the classes' own shapes.

    When the screen of each class passed, it counted how many of its instances have each
    predicate (one value at most, one row per instance). If no node is an instance of two of
    the classes and every predicate has as many triples as those counts add up to, no subject
    of them is outside the classes: the check can find nothing.
    """

    counts: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    """Per predicate IRI: the (screen query, variable) of each class whose instances' values it counts."""
    overlap: str | None
    """A SELECT of a node that is an instance of two of the classes (None for one class)."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as a SELECT over the whole data graph.

    Its rows bind ``?this`` (the focus node) and, for constraints about one value, ``?value``;
    an ``sh:sparql`` constraint may bind ``?path`` and any variable its message names.
    """

    shape: Node
    component: URIRef
    query: str
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None = None
    """The shape's ``sh:path`` node in the shapes graph (reported as ``sh:resultPath``)."""
    value: bool = True
    """True when a row's ``?value`` is the offending value (counts report none)."""
    constraint: Node | None = None
    """The ``sh:sparql`` node, for SPARQL constraints (their rows are kept for focus nodes only)."""
    flags: tuple[tuple[str, URIRef], ...] = ()
    """Several constraints of one shape in one query: (variable, component) pairs; a row breaks
    each constraint whose variable is false (``component`` is then only the first)."""
    focus: str | None = None
    """For SPARQL constraints: a SELECT of the shape's focus nodes (``?this``)."""
    screen: str | None = None
    """The screen of this check's node shape (see :meth:`_Compiler.screen`): when it passes, the
    check can find nothing and does not run."""
    domain: Domain | None = None
    """For the check of a domain shape: what clears it from the class screens' counts."""


@dataclass(frozen=True)
class Finding:
    """One result: a check and the terms of one row (rdflib terms)."""

    check: Check
    component: URIRef
    focus: Node
    value: Node | None
    path: Node | None
    bindings: dict[str, Node]


class _Compiler:
    """Turns the shapes of one shapes graph into :class:`Check` objects."""

    def __init__(self, shapes: Graph, subclasses: Callable[[Node], list[Node]]) -> None:
        self.shapes = shapes
        self.subclasses = subclasses
        self.checks: list[Check] = []
        #: Count constraints of the property shapes of one node shape, waiting to run as one query.
        self.counted: list[tuple[Check, str, list[tuple[URIRef, str]]]] = []
        #: Class → its shape's screen and, per predicate of at most one value, the variable
        #: counting the instances that have it (for :meth:`domain`).
        self.class_screens: dict[Node, tuple[str, dict[str, str]]] = {}

    # --- terms and paths ---------------------------------------------------------------------

    def term(self, node: Node) -> str:
        """A term of the shapes graph in SPARQL syntax (blank nodes are not allowed there)."""
        if isinstance(node, URIRef):
            return f"<{node}>"
        if isinstance(node, Literal):
            return str(to_ox(node))
        raise UsageError(
            f"shapes: a blank node where a term is expected ({node}); the fast check needs IRIs or literals"
        )

    def path(self, node: Node) -> str:
        """A SHACL path as a SPARQL property path."""
        return sparql_path(self.shapes, node)

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.shapes, node))

    # --- targets -----------------------------------------------------------------------------

    def targets(self, shape: Node) -> str | None:
        """A group binding ``?this`` to every focus node of ``shape`` once, or None without targets."""
        g = self.shapes
        parts: list[str] = []
        for cls in g.objects(shape, SH.targetClass):
            classes = " ".join(self.term(c) for c in self.subclasses(cls))
            # No DISTINCT: a node typed twice within the classes gives two rows, deduplicated later.
            parts.append(f"{{ VALUES ?_class {{ {classes} }} ?this a ?_class }}")
        subjects = [self.term(p) for p in g.objects(shape, SH.targetSubjectsOf)]
        if subjects:  # one pattern for all predicates, not a UNION of a SELECT DISTINCT each (made
            # distinct twice): on 10,000 articles EvidencePropertiesDomain 4.0 → 2.4 s, OffsetsDomain 3.9 → 2.2 s
            parts.append(f"{{ VALUES ?_p {{ {' '.join(subjects)} }} ?this ?_p ?_o }}")
        objects = [self.term(p) for p in g.objects(shape, SH.targetObjectsOf)]
        if objects:
            parts.append(f"{{ VALUES ?_q {{ {' '.join(objects)} }} ?_s ?_q ?this }}")
        nodes = [self.term(n) for n in g.objects(shape, SH.targetNode)]
        if nodes:
            parts.append(f"{{ VALUES ?this {{ {' '.join(nodes)} }} }}")
        if (shape, RDF.type, RDFS.Class) in g:
            raise UsageError(
                f"shapes: {shape} is a class and a shape (implicit target); the fast check needs explicit targets"
            )
        if (shape, SH.target, None) in g:
            raise UsageError(
                f"shapes: {shape} has an sh:target (SPARQL-based target); the fast check does not run those"
            )
        if not parts:
            return None
        if len(parts) == 1 and not subjects and not objects:
            return parts[0]
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    # --- what one value must be ----------------------------------------------------------------

    def conforms(self, shape: Node, v: str) -> str:
        """A SPARQL expression true when the node in variable ``v`` conforms to ``shape``.

        Only shapes of value constraints (no path, no counts) can be expressed like this.
        """
        g = self.shapes
        if (shape, SH.path, None) in g or (shape, SH.property, None) in g:
            raise UsageError(
                f"shapes: {shape} is used as a value shape and has a path or properties; the fast check does not nest those"
            )
        tests: list[str] = []
        for predicate, obj in g.predicate_objects(shape):
            if predicate in _NOT_CONSTRAINTS or predicate in (RDF.first, RDF.rest):
                continue
            tests.append(self.value_test(predicate, obj, v, shape))
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def membership(self, component: Node, rule: Node) -> list[Node] | None:
        """The classes a value constraint asks a node to be an instance of (one of, subclasses
        included), when that is all it asks: ``sh:class C``, or an ``sh:or`` of shapes that are
        each one ``sh:class``."""
        named = self.named_classes(component, rule)
        return None if named is None else [c for named_class in named for c in self.subclasses(named_class)]

    def named_classes(self, component: Node, rule: Node) -> list[Node] | None:
        """The classes :meth:`membership` reads, as the shapes name them (no subclasses)."""
        if component == SH["class"]:
            return [rule]
        if component != SH["or"]:
            return None
        classes: list[Node] = []
        for member in self.items(rule):
            constraints = [(p, o) for p, o in self.shapes.predicate_objects(member) if p not in _NOT_CONSTRAINTS]
            if len(constraints) != 1 or constraints[0][0] != SH["class"]:
                return None
            classes.append(constraints[0][1])
        return classes

    def value_test(self, component: Node, rule: Node, v: str, shape: Node) -> str:
        """The expression a value in ``v`` must satisfy for one value constraint."""
        if component == SH["class"]:
            classes = ", ".join(self.term(c) for c in self.subclasses(rule))
            return f"EXISTS {{ {v} a ?_t{_suffix(v)} FILTER(?_t{_suffix(v)} IN ({classes})) }}"
        if component == SH.datatype:
            datatype = self.term(rule)
            test = f"(isLiteral({v}) && datatype({v}) = {datatype}"
            if rule == RDF.langString:
                return f'(isLiteral({v}) && lang({v}) != "")'
            if rule in _LEXICAL:
                test += f' && REGEX(STR({v}), "{_LEXICAL[rule]}")'
            return test + ")"
        if component == SH.nodeKind:
            if rule not in _NODE_KINDS:
                raise UsageError(f"shapes: unknown sh:nodeKind {rule}")
            return _NODE_KINDS[rule].format(v=v)
        if component == SH["in"]:
            members = [f"sameTerm({v}, {self.term(m)})" for m in self.items(rule)]
            return "(" + " || ".join(members) + ")" if members else "false"
        if component == SH.languageIn:
            tags = [f'langMatches(lang({v}), "{t!s}")' for t in self.items(rule)]
            return f"(isLiteral({v}) && ({' || '.join(tags) or 'false'}))"
        if component == SH.pattern:
            flags = self.shapes.value(shape, SH.flags)
            pattern = _string(str(rule))
            extra = f", {_string(str(flags))}" if flags is not None else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {pattern}{extra}))"
        if component in _COMPARISONS:
            return f"COALESCE({v} {_COMPARISONS[component]} {self.term(rule)}, false)"
        if component in (SH.minLength, SH.maxLength):
            operator = ">=" if component == SH.minLength else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {operator} {int(str(rule))})"
        if component == SH["or"]:
            return "(" + " || ".join(self.conforms(s, v) for s in self.items(rule)) + ")"
        if component == SH["and"]:
            return "(" + " && ".join(self.conforms(s, v) for s in self.items(rule)) + ")"
        if component == SH["not"]:
            return f"!{self.conforms(rule, v)}"
        if component == SH.xone:
            members = [f"IF({self.conforms(s, v)}, 1, 0)" for s in self.items(rule)]
            return f"(({' + '.join(members)}) = 1)"
        if component == SH.hasValue:
            return f"sameTerm({v}, {self.term(rule)})"
        raise UsageError(
            f"shapes: {_short(component)} of {shape} is not supported by the fast check; use --engine pyshacl"
        )

    # --- shapes ------------------------------------------------------------------------------

    def compile(self) -> list[Check]:
        g = self.shapes
        shapes: set[Node] = set()
        for predicate in _TARGETS:
            shapes.update(g.subjects(predicate, None))
        shapes.update(s for s in g.subjects(RDF.type, SH.NodeShape) if any(True for _ in g.objects(s, SH.property)))
        for shape in sorted(shapes, key=str):
            if _true(g.value(shape, SH.deactivated)):
                continue
            focus = self.targets(shape)
            if focus is None:
                continue
            first = len(self.checks)
            self.shape(shape, focus)
            for child in g.objects(shape, SH.property):
                if not _true(g.value(child, SH.deactivated)):
                    self.shape(child, focus, parent=shape)
            self.count_together(focus)
            self.screen(shape, first)
        self.checks = [self.domain(check) for check in self.checks]
        return self.checks

    def domain(self, check: Check) -> Check:
        """``check`` with a :class:`Domain` when it is the one check of a domain shape (targets:
        only ``sh:targetSubjectsOf``; constraint: only :meth:`membership`) whose classes' shapes
        have screens counting every one of its predicates; else ``check`` unchanged.

        10,000 articles: "only a kg:Evidence has kg:article, kg:sentence, kg:rule or
        kg:confidence" read 940,000 triples and each subject's types (1.8 s); counting the
        triples takes 0.3 s, and kg:startOffset's shape (kg:Sentence or kg:Evidence) 1.9 → 0.4 s.
        """
        g = self.shapes
        shape = check.shape
        if check.screen is not None or check.constraint is not None or check.path is not None:
            return check
        if any(True for t in _TARGETS if t != SH.targetSubjectsOf and (shape, t, None) in g):
            return check
        if (shape, SH.property, None) in g or (shape, SH.sparql, None) in g:
            return check
        constraints = [(p, o) for p, o in g.predicate_objects(shape) if p not in _NOT_CONSTRAINTS]
        if len(constraints) != 1:
            return check
        named = self.named_classes(*constraints[0])
        predicates = [str(p) for p in g.objects(shape, SH.targetSubjectsOf) if isinstance(p, URIRef)]
        if not named or not predicates or any(c not in self.class_screens for c in named):
            return check
        counts = []
        for predicate in predicates:
            parts = []
            for named_class in named:
                query, counted = self.class_screens[named_class]
                if predicate not in counted:
                    return check
                parts.append((query, counted[predicate]))
            counts.append((predicate, tuple(parts)))
        closures = [self.subclasses(c) for c in named]
        if len({c for closure in closures for c in closure}) < sum(len(closure) for closure in closures):
            return check  # a class below two of them: its instances are in two counts
        pairs = [
            f"{{ VALUES ?_a {{ {' '.join(self.term(c) for c in a)} }} VALUES ?_b {{ {' '.join(self.term(c) for c in b)} }} "
            "?_node a ?_a , ?_b }"
            for i, a in enumerate(closures)
            for b in closures[i + 1 :]
        ]
        overlap = f"SELECT ?_node WHERE {{ {' UNION '.join(pairs)} }} LIMIT 1" if pairs else None
        return replace(check, domain=Domain(tuple(counts), overlap))

    def screen(self, shape: Node, first: int) -> None:
        """Give the checks of the node shape ``shape`` (``self.checks[first:]``) that one cheap
        query can clear a screen: that query.

        A kg graph conforms, and each check scans every focus node of its shape, so a shape of
        twelve checks read each kg:Evidence twelve times (most of the check on 10,000 articles).
        A screen reads every focus node once, each property once, and tests all the constraints
        it covers in one expression. It passes only when none of them can have a result; else
        the checks run as they are, so the findings are the same either way. A property with
        ``sh:maxCount`` 1 (or 0) is one OPTIONAL: a second value makes a second row of the same
        focus node, which fails the screen (rows ≠ nodes). Other properties are tested as
        ``NOT EXISTS`` a value that fails. Counts above 1, qualified counts, ``sh:hasValue`` and
        SPARQL constraints are not covered; their checks always run.
        """
        g = self.shapes
        if (shape, SH.path, None) in g:  # a property shape with targets of its own
            return
        optionals: list[str] = []
        tests: list[str] = []
        covered: set[tuple[Node, URIRef]] = set()
        for component, rule in g.predicate_objects(shape):
            if component in _VALUE_TESTS:
                tests.append(f"COALESCE({self.value_test(component, rule, '?this', shape)}, false)")
                covered.add((shape, _component(component)))
        children = [c for c in g.objects(shape, SH.property) if not _true(g.value(c, SH.deactivated))]
        counted: dict[str, str] = {}  # predicate of at most one value → variable counting its nodes
        read: dict[Node, str] = {}  # predicate of at most one value → the variable holding it
        for number, child in reversed(list(enumerate(children))):  # the first of a path's wins
            path, most = g.value(child, SH.path), g.value(child, SH.maxCount)
            if isinstance(path, URIRef) and most is not None and int(str(most)) <= 1:
                read[path] = f"?_s{number}"
        for number, child in enumerate(children):
            single = self.screen_property(child, f"?_s{number}", optionals, tests, covered, read)
            path = g.value(child, SH.path)
            if single and isinstance(path, URIRef):
                counted.setdefault(str(path), f"_b{number}")

        def clears(check: Check) -> bool:
            components = [c for _, c in check.flags] if check.flags else [check.component]
            return check.constraint is None and all((check.shape, c) in covered for c in components)

        checks = self.checks[first:]
        if not optionals or not any(clears(check) for check in checks):
            # Without a property of at most one value nothing is read once instead of many
            # times: the checks alone are as fast (10,000 articles: kg:hosts' two checks 0.3 s,
            # a screen of them 4.4 s, Oxigraph's NOT EXISTS being slow).
            return
        test = " && ".join(tests) or "true"
        bound = "".join(f" (SUM(IF(BOUND(?_s{v[2:]}), 1, 0)) AS ?{v})" for v in counted.values())
        query = (
            f"SELECT (COUNT(*) AS ?rows) (COUNT(DISTINCT ?this) AS ?nodes) (SUM(IF({test}, 0, 1)) AS ?broken){bound} "
            f"WHERE {{ {self.targets(shape)} {' '.join(optionals)} }}"
        )
        self.checks[first:] = [replace(check, screen=query) if clears(check) else check for check in checks]
        classes = list(g.objects(shape, SH.targetClass))
        if len(classes) == 1 and not any(True for t in _TARGETS if t != SH.targetClass and (shape, t, None) in g):
            self.class_screens.setdefault(classes[0], (query, counted))

    def screen_property(
        self,
        shape: Node,
        v: str,
        optionals: list[str],
        tests: list[str],
        covered: set[tuple[Node, URIRef]],
        read: dict[Node, str],
    ) -> bool:
        """The part of a screen (see :meth:`screen`) for one property shape, its values in
        ``v``; True when that is an OPTIONAL (at most one value). ``read`` names the variables
        of the screen's other properties of at most one value, which a pair reuses."""
        g = self.shapes
        path_node = g.value(shape, SH.path)
        if path_node is None:  # shape() has refused it already
            return False
        path = self.path(path_node)
        most, least = (g.value(shape, p) for p in (SH.maxCount, SH.minCount))
        most_count = int(str(most)) if most is not None else None
        least_count = int(str(least)) if least is not None else None
        rules = sorted(g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1])))
        if most_count is not None and most_count <= 1:
            optionals.append(f"OPTIONAL {{ ?this {path} {v} }}")
            covered.add((shape, _component(SH.maxCount)))  # two values: two rows of one focus node
            if most_count == 0:
                tests.append(f"!BOUND({v})")
            if least_count is not None and least_count <= 1:
                tests.append(f"BOUND({v})" if least_count == 1 else "true")
                covered.add((shape, _component(SH.minCount)))
            for number, (component, rule) in enumerate(rules):
                if component in _VALUE_TESTS:
                    test = self.value_test(component, rule, v, shape)
                    tests.append(f"(!BOUND({v}) || COALESCE({test}, false))")
                elif component in _PAIRS or component in (SH.equals, SH.disjoint):
                    w = read.get(rule, f"{v}_{number}")
                    if rule not in read:
                        optionals.append(f"OPTIONAL {{ ?this {self.term(rule)} {w} }}")
                    if component in _PAIRS:
                        tests.append(f"(!BOUND({v}) || !BOUND({w}) || COALESCE({v} {_PAIRS[component]} {w}, false))")
                    elif component == SH.equals:
                        tests.append(f"(BOUND({v}) = BOUND({w}) && (!BOUND({v}) || sameTerm({v}, {w})))")
                    else:
                        tests.append(f"!(BOUND({v}) && BOUND({w}) && sameTerm({v}, {w}))")
                else:
                    continue
                covered.add((shape, _component(component)))
            return True
        x = v.replace("?_s", "?_x")
        if least_count is not None and least_count <= 1:
            if least_count == 1:
                tests.append(f"EXISTS {{ ?this {path} {x} }}")
            covered.add((shape, _component(SH.minCount)))
        for component, rule in rules:
            if component in _VALUE_TESTS:
                test = self.value_test(component, rule, x, shape)
                tests.append(f"NOT EXISTS {{ ?this {path} {x} FILTER (!COALESCE({test}, false)) }}")
                covered.add((shape, _component(component)))
        return False

    def count_together(self, focus: str) -> None:
        """The count constraints of a node shape's property shapes in one GROUP BY over the focus
        nodes, instead of one per property (each scanned all of them: on 10,000 articles the
        counts were most of the check). Every property shape keeps its own :class:`Check`, all
        with the same query (run once), each reading its own variables of a row."""
        pending, self.counted = self.counted, []
        for start in range(0, len(pending), COUNTED_TOGETHER):
            self._count_group(focus, pending[start : start + COUNTED_TOGETHER])

    def _count_group(self, focus: str, pending: list[tuple[Check, str, list[tuple[URIRef, str]]]]) -> None:
        optionals, chosen, broken = [], [], []
        for number, (check, path, counts) in enumerate(pending):
            optionals.append(f"OPTIONAL {{ ?this {path} ?_v{number} }}")
            flags = []
            for index, (component, bound) in enumerate(counts):
                variable = f"_count{number}_{index}"
                test = f"COUNT(DISTINCT ?_v{number}) {bound}"
                chosen.append(f"({test} AS ?{variable})")
                broken.append(f"!({test})")
                flags.append((variable, component))
            pending[number] = (replace(check, flags=tuple(flags)), path, counts)
        query = (
            f"SELECT ?this {' '.join(chosen)} WHERE {{ {focus} {' '.join(optionals)} }} "
            f"GROUP BY ?this HAVING ({' || '.join(broken)})"
        )
        self.checks.extend(replace(check, query=query) for check, _, _ in pending)

    def shape(self, shape: Node, focus: str, parent: Node | None = None) -> None:
        """The checks of one shape (node or property) for the focus nodes ``focus`` binds."""
        g = self.shapes
        path_node = g.value(shape, SH.path)
        if path_node is None and parent is not None:
            raise UsageError(f"shapes: sh:property {shape} of {parent} has no sh:path")
        if path_node is not None and parent is None and not any(True for _ in g.predicates(shape, None)):
            return
        path = self.path(path_node) if path_node is not None else None
        severity = g.value(shape, SH.severity) or SH.Violation
        messages = tuple(m for m in g.objects(shape, SH.message) if isinstance(m, Literal))

        def add(component: URIRef, query: str, *, value: bool = True, **extra: Any) -> None:
            self.checks.append(Check(shape, component, query, severity, messages, path_node, value, **extra))  # type: ignore[arg-type]

        values = f"?this {path} ?value ." if path is not None else "BIND (?this AS ?value)"
        tests: list[tuple[URIRef, str]] = []  # value constraints, run together
        tested: list[tuple[Node, Node]] = []  # their (parameter, value) in the shapes graph
        counts: list[tuple[URIRef, str]] = []  # sh:minCount / sh:maxCount, run together
        for component, rule in sorted(g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if component in _NOT_CONSTRAINTS or component in (RDF.first, RDF.rest):
                if component == SH.property and path is not None:
                    raise UsageError(f"shapes: property shape {shape} has nested sh:property; use --engine pyshacl")
                continue
            name = _component(component)
            if component in (SH.minCount, SH.maxCount):
                if path is None:
                    raise UsageError(f"shapes: {_short(component)} on node shape {shape}")
                operator = ">=" if component == SH.minCount else "<="
                counts.append((name, f"{operator} {int(str(rule))}"))  # COUNT(DISTINCT ?_v) <this>
            elif component == SH.qualifiedValueShape:
                if _true(g.value(shape, SH.qualifiedValueShapesDisjoint)):
                    raise UsageError(f"shapes: sh:qualifiedValueShapesDisjoint of {shape}; use --engine pyshacl")
                if path is None:
                    raise UsageError(f"shapes: sh:qualifiedValueShape on node shape {shape}")
                test = self.conforms(rule, "?_v")
                most, least = g.value(shape, SH.qualifiedMaxCount), g.value(shape, SH.qualifiedMinCount)
                if most is not None:
                    query = (
                        f"SELECT ?this WHERE {{ {focus} ?this {path} ?_v FILTER({test}) }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {int(str(most))})"
                    )
                    add(SH.QualifiedMaxCountConstraintComponent, query, value=False)
                if least is not None:
                    query = (
                        f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?_v FILTER({test}) }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {int(str(least))})"
                    )
                    add(SH.QualifiedMinCountConstraintComponent, query, value=False)
            elif component in (SH.equals, SH.disjoint) or component in _PAIRS:
                other = self.term(rule)
                if component == SH.equals:
                    if path is None:
                        where = f"?this {other} ?value FILTER (!sameTerm(?value, ?this))"
                        where = f"{{ {where} }} UNION {{ FILTER NOT EXISTS {{ ?this {other} ?this }} BIND (?this AS ?value) }}"
                    else:
                        # OPTIONAL + !BOUND: Oxigraph runs FILTER NOT EXISTS far slower.
                        where = (
                            f"{{ ?this {path} ?value OPTIONAL {{ ?this {other} ?value BIND (true AS ?_in) }} FILTER (!BOUND(?_in)) }} UNION "
                            f"{{ ?this {other} ?value OPTIONAL {{ ?this {path} ?value BIND (true AS ?_in) }} FILTER (!BOUND(?_in)) }}"
                        )
                elif component == SH.disjoint:
                    where = f"{values} ?this {other} ?value"
                else:
                    where = f"{values} ?this {other} ?_o FILTER (!COALESCE(?value {_PAIRS[component]} ?_o, false))"
                add(name, f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {where} }}")
            elif component == SH.hasValue:
                if path is None:
                    query = f"SELECT ?this WHERE {{ {focus} FILTER (!sameTerm(?this, {self.term(rule)})) }}"
                else:
                    query = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} {self.term(rule)} }} }}"
                add(name, query, value=False)
            elif component in (SH.closed, SH.ignoredProperties, SH.uniqueLang, SH.node):
                raise UsageError(
                    f"shapes: {_short(component)} of {shape} is not supported by the fast check; use --engine pyshacl"
                )
            else:
                tests.append((name, self.value_test(component, rule, "?value", shape)))
                tested.append((component, rule))
        if counts and parent is not None and any(c == _component(SH.maxCount) for c, _ in counts):
            # Bounded values (an OPTIONAL per property multiplies rows only where one is broken).
            check = Check(shape, counts[0][0], "", severity, messages, path_node, False)  # type: ignore[arg-type]
            self.counted.append((check, path, counts))  # type: ignore[arg-type]
        elif counts:
            names = [f"?_count{i}" for i in range(len(counts))]
            chosen = " ".join(
                f"(COUNT(DISTINCT ?_v) {bound} AS {n})" for n, (_, bound) in zip(names, counts, strict=True)
            )
            broken = " || ".join(f"!(COUNT(DISTINCT ?_v) {bound})" for _, bound in counts)
            if any(c == _component(SH.minCount) for c, _ in counts):
                where = f"{focus} OPTIONAL {{ ?this {path} ?_v }}"
            else:
                where = f"{focus} ?this {path} ?_v"
            query = f"SELECT ?this {chosen} WHERE {{ {where} }} GROUP BY ?this HAVING ({broken})"
            add(
                counts[0][0],
                query,
                value=False,
                flags=tuple((n[1:], c) for n, (c, _) in zip(names, counts, strict=True)),
            )
        classes = self.membership(*tested[0]) if path is None and len(tested) == 1 else None
        if classes:
            # The focus node must be an instance of one of ``classes`` (a domain: sh:class, or
            # an sh:or of them): the focus nodes MINUS those typed so, instead of an EXISTS per
            # node (10,000 articles: kg:Evidence's four properties 2.5 → 2.0 s).
            query = (
                f"SELECT ?this ?value ?_ok0 WHERE {{ {focus} MINUS {{ ?this a ?_type "
                f"FILTER (?_type IN ({', '.join(self.term(c) for c in classes)})) }} "
                f"BIND (?this AS ?value) BIND (false AS ?_ok0) }}"
            )
            add(tests[0][0], query, flags=(("_ok0", tests[0][0]),))
        elif tests:
            names = [f"?_ok{i}" for i in range(len(tests))]
            bound = " ".join(
                f"BIND (COALESCE({test}, false) AS {n})" for n, (_, test) in zip(names, tests, strict=True)
            )
            broken = " || ".join(f"!{n}" for n in names)
            query = f"SELECT ?this ?value {' '.join(names)} WHERE {{ {focus} {values} {bound} FILTER ({broken}) }}"
            add(tests[0][0], query, flags=tuple((n[1:], c) for n, (c, _) in zip(names, tests, strict=True)))
        for constraint in g.objects(shape, SH.sparql):
            self.sparql(shape, constraint, focus, parent is not None or path is not None)

    def sparql(self, shape: Node, constraint: Node, focus: str, on_property: bool) -> None:
        """An ``sh:sparql`` SELECT of a node shape, run once over the data."""
        g = self.shapes
        if _true(g.value(constraint, SH.deactivated)):
            return
        select = g.value(constraint, SH.select)
        if on_property or not isinstance(select, Literal):
            raise UsageError(
                f"shapes: the sh:sparql constraint of {shape} is not a node shape's SELECT; use --engine pyshacl"
            )
        text = str(select)
        if any(v in text for v in ("$shapesGraph", "$currentShape", "$PATH", "?shapesGraph", "?currentShape")):
            raise UsageError(
                f"shapes: the sh:sparql constraint of {shape} uses pre-bound variables the fast check does not bind"
            )
        if re.search(r"\b(VALUES|MINUS|SERVICE)\b", text, re.IGNORECASE):
            raise GraphParseError(
                f"shapes: not valid SHACL: the sh:sparql constraint of {shape} uses VALUES, MINUS or SERVICE"
            )
        prefixes: dict[str, str] = {}
        for owner in g.objects(constraint, SH.prefixes):
            for declaration in g.objects(owner, SH.declare):
                prefix, namespace = g.value(declaration, SH.prefix), g.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    prefixes[str(prefix)] = str(namespace)
        query = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items())) + text
        messages = tuple(m for m in g.objects(constraint, SH.message) if isinstance(m, Literal))
        messages = messages or tuple(m for m in g.objects(shape, SH.message) if isinstance(m, Literal))
        severity = g.value(shape, SH.severity) or SH.Violation
        self.checks.append(
            Check(
                shape, SH.SPARQLConstraintComponent, query, severity, messages, None, True,  # type: ignore[arg-type]
                constraint=constraint, focus=f"SELECT ?this WHERE {{ {focus} }}",
            )
        )  # fmt: skip


def sparql_path(graph: Graph, node: Node, term: Callable[[URIRef], str] = lambda iri: f"<{iri}>") -> str:
    """A SHACL path (``node`` in ``graph``) as a SPARQL property path. ``term`` writes each IRI:
    ``<…>`` for a query, a prefixed name for a report. A part that is a path itself is bracketed."""

    def part(inner: Node) -> str:
        text = sparql_path(graph, inner, term)
        return text if isinstance(inner, URIRef) else f"({text})"

    if isinstance(node, URIRef):
        return term(node)
    for predicate, operator in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, predicate)
        if inner is not None:
            return part(inner) + operator
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + part(inverse)
    alternative = graph.value(node, SH.alternativePath)
    if alternative is not None:
        return "|".join(part(p) for p in Collection(graph, alternative))
    if graph.value(node, RDF.first) is not None:
        return "/".join(part(p) for p in Collection(graph, node))
    raise UsageError(f"shapes: sh:path {node} is not a SHACL path")


def _suffix(variable: str) -> str:
    return re.sub(r"\W", "", variable)


def _string(text: str) -> str:
    """A SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _true(value: Node | None) -> bool:
    return isinstance(value, Literal) and value.toPython() is True


def _component(parameter: Node) -> URIRef:
    """``sh:class`` → ``sh:ClassConstraintComponent``."""
    name = str(parameter)[len(str(SH)) :]
    return URIRef(f"{SH}{name[:1].upper()}{name[1:]}ConstraintComponent")


def _short(parameter: Node) -> str:
    text = str(parameter)
    return "sh:" + text[len(str(SH)) :] if text.startswith(str(SH)) else text


def _subclass_index(store: ox.Store, union: bool) -> Callable[[Node], list[Node]]:
    """``C`` → C and every class below it by the data's ``rdfs:subClassOf`` (as SHACL does)."""
    below: dict[str, list[str]] = {}
    rows = select(store, f"SELECT ?s ?o WHERE {{ ?s <{RDFS.subClassOf}> ?o }}", union=union)
    for row in rows:
        sub, sup = row["s"], row["o"]
        if isinstance(sub, ox.NamedNode) and isinstance(sup, ox.NamedNode):
            below.setdefault(sup.value, []).append(sub.value)

    def closure(cls: Node) -> list[Node]:
        found, todo = [str(cls)], [str(cls)]
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in found:
                    found.append(sub)
                    todo.append(sub)
        return [cls] + [URIRef(c) for c in found[1:]]

    return closure


def compile_shapes(shapes: Graph, store: ox.Store, *, union: bool = False) -> list[Check]:
    """The checks of ``shapes``; ``store`` is read for its class hierarchy.

    Raises :class:`UsageError` naming the feature when the shapes use one the fast check does
    not compile (pyshacl then has to run them).
    """
    return _Compiler(shapes, _subclass_index(store, union)).compile()


def run_checks(
    checks: Iterable[Check],
    store: ox.Store,
    *,
    union: bool = False,
    progress: Callable[[int, int], None] | None = None,
    threads: int = THREADS,
) -> Iterator[Finding]:
    """Run every check over ``store``; yield one :class:`Finding` per (check, focus, value).

    The screens and domain counts run first; the checks they clear are skipped. The queries run ``threads`` at a time (1: one after the other), a few ahead of the one
    being reported; the findings come in the order of ``checks`` whatever ``threads`` is.
    """
    if threads < 1:
        raise UsageError(f"threads must be at least 1, not {threads}")
    checks = list(checks)
    screens = list(dict.fromkeys(check.screen for check in checks if check.screen is not None))
    domains = list(dict.fromkeys(check.domain for check in checks if check.domain is not None))
    if screens:  # first the screens (see _Compiler.screen), then the checks no screen cleared
        steps = len(screens) + len(domains)
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kg-shacl") as pool:
            answers = dict(zip(screens, pool.map(lambda query: _screen(store, query, union), screens), strict=True))
            if progress is not None:
                progress(len(screens), steps + len(checks))
            cleared = dict(
                zip(domains, pool.map(lambda d: _domain_clear(d, answers, store, union), domains), strict=True)
            )
        checks = [
            check
            for check in checks
            if not (check.screen is not None and answers[check.screen] is not None)
            and not (check.domain is not None and cleared[check.domain])
        ]
        if progress is not None:
            inner = progress
            progress = lambda number, total: inner(steps + number, steps + total)  # noqa: E731
    convert = ToRdflib()
    # Checks sharing a query come together: the first of each run asks it, the others reuse its rows.
    asks = [check.query for i, check in enumerate(checks) if i == 0 or checks[i - 1].query != check.query]
    window = 8 * threads  # queries asked before their turn (their rows wait in memory)
    with ExitStack() as stack:
        # The queries that group (count constraints) all run on the first pool's one thread: each
        # holds a table of all its focus nodes (216 MiB on 10,000 articles), and memory a thread
        # has freed stays with it (side by side on any thread: +466 MiB over the store, this way
        # +313, one thread +237). Other queries go to the pool with fewer waiting.
        pools = [
            stack.enter_context(ThreadPoolExecutor(max_workers=n, thread_name_prefix="kg-shacl"))
            for n in ([1] if threads == 1 else [1, threads - 1])
        ]
        futures: deque[tuple[Future[list[dict[str, Any]]], int]] = deque()
        try:
            rows: list[dict[str, Any]] = []
            asked = 0
            for number, check in enumerate(checks, start=1):
                if number == 1 or checks[number - 2].query != check.query:
                    while asked < len(asks) and len(futures) < window:
                        query = asks[asked]
                        waiting = [sum(1 for f, p in futures if p == i and not f.done()) for i in range(len(pools))]
                        chosen = 0 if "GROUP BY" in query else min(range(len(pools)), key=lambda i: (waiting[i], -i))
                        futures.append((pools[chosen].submit(_rows, store, query, union), chosen))
                        asked += 1
                    try:
                        rows = futures.popleft()[0].result()
                    except (SyntaxError, OSError, ValueError) as error:
                        raise GraphParseError(
                            f"shapes: the check {_short(check.component)} of {check.shape} does not run: {error}"
                        ) from error
                yield from _findings(check, rows, store, union, convert)
                if progress is not None:
                    progress(number, len(checks))
        finally:
            for future, _ in futures:
                future.cancel()


def _screen(store: ox.Store, query: str, union: bool) -> dict[str, int] | None:
    """The counts of a screen that passes (one row per focus node, so no property with two
    values, and none broken), or None when it does not."""
    try:
        solutions = select(store, query, union=union)
        row = next(iter(solutions))
    except (SyntaxError, OSError, ValueError) as error:
        raise GraphParseError(f"shapes: a screen of the check does not run: {error}\n{query}") from error
    counts = {v.value: int(row[v].value) for v in solutions.variables if row[v] is not None}
    if len(counts) < len(solutions.variables) or counts["rows"] != counts["nodes"] or counts["broken"]:
        return None
    return counts


def _domain_clear(domain: Domain, screens: dict[str, dict[str, int] | None], store: ox.Store, union: bool) -> bool:
    """Whether a domain shape's check can find nothing (see :class:`Domain`)."""
    for predicate, parts in domain.counts:
        found = [screens.get(query) for query, _ in parts]
        if any(counts is None for counts in found):
            return False
        expected = 0
        for counts, (_, variable) in zip(found, parts, strict=True):
            assert counts is not None  # tested above
            expected += counts[variable]
        triples = next(iter(select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?_s <{predicate}> ?_o }}", union=union)))
        if int(triples["n"].value) != expected:
            return False
    return domain.overlap is None or not any(True for _ in select(store, domain.overlap, union=union))


def _rows(store: ox.Store, query: str, union: bool) -> list[dict[str, Any]]:
    """The rows of one check's query, each a dict of variable name → pyoxigraph term."""
    solutions = select(store, query, union=union)
    return [{v.value: s[v] for v in solutions.variables if s[v] is not None} for s in solutions]


def _findings(
    check: Check, rows: list[dict[str, Any]], store: ox.Store, union: bool, convert: ToRdflib
) -> Iterator[Finding]:
    """The findings of one check from its query's rows."""
    focus_nodes: set[Any] | None = None
    if check.constraint is not None and rows:
        assert check.focus is not None
        focus_nodes = {s["this"] for s in select(store, check.focus, union=union)}
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        this = row.get("this")
        if this is None or (focus_nodes is not None and this not in focus_nodes):
            continue
        value = row.get("value", this) if check.value else None
        path = row.get("path")
        # A SPARQL constraint reports every solution (as pyshacl does); others one per value.
        key = (
            tuple(sorted(row.items(), key=lambda item: item[0]))
            if check.constraint is not None
            else (this, value, path)
        )
        if key in seen:
            continue
        seen.add(key)
        bindings = {name: convert(term) for name, term in row.items()}
        components = [c for name, c in check.flags if row.get(name) == _FALSE] if check.flags else [check.component]
        for component in components:
            yield Finding(
                check,
                component,
                convert(this),
                convert(value) if value is not None else None,
                convert(path) if path is not None else check.path,
                bindings,
            )
