"""The HTML graph explorer: one self-contained page that works with no network.

    >>> from kg.viz import explore, write_html
    >>> view = explore(graph, focus="南昌高新区", depth=2)      # doctest: +SKIP
    >>> write_html(graph, "out/graph.html", focus="南昌高新区")  # doctest: +SKIP

How the page is made:

- :func:`collect` reads the graph into entities, relations (each with the evidence sentences
  it came from) and metrics: plain data, no markup.
- :func:`explore` chooses what is drawn: the neighbourhood of ``focus`` up to ``depth`` hops,
  and at most ``max_nodes`` nodes (the most connected part; the page says what was left out).
- :func:`render_view` puts that data in a JSON blob escaped for a ``<script>`` context and
  inlines vis-network (shipped inside the pyvis package) with our own script and stylesheet
  from ``kg/_data/viz/``. pyvis's "in_line" mode still links Bootstrap from a CDN, so the
  page template is ours. The script builds the side panel with ``textContent`` only and
  vis-network draws labels as canvas text, so article text is never markup. A
  Content-Security-Policy allows the page's own inline scripts (by hash) and no network.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import heapq
import html
import importlib.util
import json
import math
import os
import re
import shlex
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from difflib import get_close_matches
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Identifier, Node

from . import schema
from .errors import UsageError
from .export import atomic_write
from .ontology import KG, KG_NS, QUDT, UNITS, expand_iri, instance_prefixes
from .quantity import format_base, format_quantity
from .rdfio import ToRdflib, restore, to_ox

__all__ = [
    "DEFAULT_DEPTH",
    "DEFAULT_MAX_NODES",
    "Collected",
    "Entity",
    "Evidence",
    "Relation",
    "StoreGraph",
    "View",
    "collect",
    "drawn_classes",
    "drawn_relations",
    "explore",
    "find_entities",
    "render_html",
    "render_view",
    "short_label",
    "write_html",
    "write_view",
]

#: Draw at most this many nodes unless told otherwise; the rest is summarised on the page.
DEFAULT_MAX_NODES = 1500
#: Hops around ``--focus`` when no ``--depth`` is given.
DEFAULT_DEPTH = 2
#: Above this many drawn nodes the page uses the fast layout (no improvedLayout, capped physics).
LARGE_GRAPH = 300
#: A big page also carries an index of the entities it leaves out (names, classes and their
#: relations, no evidence), so that its search finds them and draws them on demand: at most
#: this many entities (metrics are not indexed) and relations. With DEFAULT_MAX_NODES this
#: bounds a page at about 2 MB of drawn data plus 4 MB of index, whatever the corpus.
MORE_NODES = 20_000
MORE_EDGES = 50_000
#: Longest label drawn on a node, in characters; the full name shows on hover and in the panel.
LABEL_CHARS = 12


def drawn_classes() -> dict[str, schema.EntityClass]:
    """The classes the page draws, with their names, colours and shapes (from :mod:`kg.schema`)."""
    return {name: schema.CLASSES[name] for name in schema.class_names(network=True)}


def drawn_relations() -> dict[str, schema.Relation]:
    """The relations the page draws, with their names, colours and lines (from :mod:`kg.schema`)."""
    return schema.RELATIONS


_QUALIFIERS: dict[str, str] = {
    str(KG.MoreThan): "超过",
    str(KG.AtLeast): "至少",
    str(KG.Approximately): "约",
    str(KG.LessThan): "不足",
    str(KG.AtMost): "至多",
}
#: Unit IRI → its code (the keys of :data:`kg.ontology.UNITS`), shown after a number.
_UNIT_CODE: dict[str, str] = {str(iri): code for code, iri in UNITS.items()}
_NUMERIC_VALUE = QUDT["numericValue"]
_RDF_TYPE = str(RDF.type)
_EVIDENCE = str(KG.Evidence)
_UNIT = QUDT["unit"]
_XSD_STRING = str(XSD.string)
_XSD_DECIMAL = str(XSD.decimal)
_OX_TERMS = (ox.NamedNode, ox.BlankNode, ox.Literal)
_FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'


# ---------------------------------------------------------------------------------------
# Reading the graph
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """Where one relation was said: the sentence, its article and the span the rule matched."""

    sentence: str | None
    """IRI of the kg:Sentence, if the evidence names one."""
    article: str | None
    """IRI of the kg:Article."""
    rule: str
    confidence: float | None
    start: int | None
    """Start of the matched span in the file text."""
    end: int | None


@dataclass
class Entity:
    """One node of the explorer: an entity or a metric."""

    iri: str
    cls: str
    name: str
    aliases: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)
    metric: dict[str, Any] | None = None
    """For a kg:Metric: indicator, value text, qualifier, year, target flag, surface text."""


@dataclass
class Relation:
    """One drawn edge; ``detail`` carries the post title(s) of a holdsPost edge."""

    source: str
    predicate: str
    target: str
    details: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Collected:
    """Everything the explorer can show, read once from a graph."""

    entities: dict[str, Entity]
    relations: list[Relation]
    sentences: dict[str, tuple[str, str | None, int | None, int | None]]
    """Sentence IRI → (text, article IRI, start, end)."""
    headlines: dict[str, str]
    """Article IRI → headline."""

    def adjacency(self) -> dict[str, set[str]]:
        """Undirected neighbours of every entity along the drawn relations."""
        neighbours: dict[str, set[str]] = {iri: set() for iri in self.entities}
        for relation in self.relations:
            neighbours[relation.source].add(relation.target)
            neighbours[relation.target].add(relation.source)
        return neighbours


def _text(value: Any) -> str | None:
    """The text of a term (see :func:`_lexical`), or of an rdflib term, or None."""
    if value is None:
        return None
    return _lexical(value) if type(value) in _OX_TERMS else str(value)


def _int(value: Node | str | None) -> int | None:
    """An integer literal (or its text) as int; None when absent or not a number (offsets are then not used)."""
    if type(value) is str:
        try:
            return int(value)
        except ValueError:
            return None
    if isinstance(value, Literal):
        try:
            return int(value.toPython())
        except (TypeError, ValueError):
            return None
    return None


def _float(value: Node | str | None) -> float | None:
    """A finite number literal (or its text) as float; None when absent or not a finite number."""
    if type(value) is str:
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    if isinstance(value, Literal):
        try:
            number = float(value.toPython())
        except (TypeError, ValueError):
            return None
        return number if math.isfinite(number) else None
    return None


def _preferred_label(labels: Sequence[Any]) -> str | None:
    """The @zh label if there is one, else any label; ties broken by text for stable output."""
    if len(labels) == 1 and type(labels[0]) is ox.Literal:  # nearly always
        return _lexical(labels[0])
    found = [lit for lit in labels if type(lit) is ox.Literal]
    if len(found) == 1:
        return _lexical(found[0])
    return min(((lit.language != "zh", _lexical(lit)) for lit in found), default=(False, None))[1]


def _lexical(term: Any) -> str:
    """The text of an Oxigraph term as ``str()`` of its rdflib twin gives it (kg's form of an
    xsd:decimal, rdflib's normal form of other typed literals), without making that twin for
    the plain strings and IRIs that are nearly all of a page."""
    if type(term) is not ox.Literal or term.language is not None:
        return str(term.value)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return str(term.value)
    if datatype == _XSD_DECIMAL:
        return str(restore(term).value)
    return str(_typed_literal(term.value, datatype))


@lru_cache(maxsize=4096)
def _typed_literal(value: str, datatype: str) -> Literal:
    """The rdflib Literal of a typed literal (years and flags repeat: a few thousand kept)."""
    return Literal(value, datatype=URIRef(datatype))


def _first(table: dict[str, list[Any]], subject: str) -> Any:
    found = table.get(subject)
    return found[0] if found else None


def _fallback_name(iri: str) -> str:
    return unquote(iri.rstrip("/").rsplit("/", 1)[-1])


def short_label(name: str, limit: int = LABEL_CHARS) -> str:
    """``name`` cut to ``limit`` characters with an ellipsis, so it fits under a node."""
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1] + "…"


#: The fields of a kg:Metric that the panel shows.
_METRIC_FIELDS = (_NUMERIC_VALUE, _UNIT, KG.qualifier, KG.isTarget, KG.indicator, KG.surfaceText, KG.year)


def _metric(first: Iterable[Any], label: str) -> dict[str, Any]:
    """The panel's figure: ``amount`` in the source's own words (近500亿元), or, without surface
    text, read out of the number (1400万元); ``base`` the stored value (14000000 CNY).

    ``first`` holds the metric's first object of each of :data:`_METRIC_FIELDS` (an Oxigraph
    term, or None)."""
    value, unit, qualifier, target, indicator, surface_text, year = first
    unit_code = _UNIT_CODE.get(unit.value, _fallback_name(unit.value)) if type(unit) is ox.NamedNode else ""
    readable = base = None
    if type(value) is ox.Literal:
        try:
            number = Decimal(_lexical(value))
        except InvalidOperation:
            number = None  # not a number (SHACL reports it); the panel still shows the surface text
        if number is not None and number.is_finite():
            readable, base = format_quantity(number, unit_code), format_base(number, unit_code)
    surface = _text(surface_text)
    return {
        "indicator": _text(indicator) or label,
        "amount": surface or readable,
        "base": base,
        "surface": surface,
        "qualifier": _QUALIFIERS.get(qualifier.value) if type(qualifier) is ox.NamedNode else None,
        "year": _text(year),
        "target": type(target) is ox.Literal
        and target.language is None
        and _typed_literal(target.value, target.datatype.value).toPython() is True,
    }


class StoreGraph:
    """A pyoxigraph store read for the page: whole predicates at once (:meth:`table`,
    :meth:`instances`, kept as Oxigraph terms), the evidence of the drawn relations
    (:meth:`evidence_rows`), and the few rdflib Graph reads :func:`collect` still makes.

    The page of a big graph is read straight from the store the build or the SHACL check
    already holds: materialising millions of triples as rdflib objects took most of a
    minute and gigabytes. ``union`` reads every named graph (a ``kg build --store`` folder,
    or a build's store with its articles in a graph of their own); a triple that several
    graphs hold counts once.
    """

    def __init__(self, store: Any, union: bool = False) -> None:
        self.store = store
        self.graph_name = None if union else ox.DefaultGraph()
        self._convert = ToRdflib()

    def table(self, predicate: Node) -> dict[str, list[Any]]:
        """Every ``(?, predicate, ?)`` in one pass: the objects by their subject's text, each
        once, as Oxigraph terms (an rdflib term each for millions of objects took most of
        the page's time and hundreds of MB; :func:`_lexical` reads their text)."""
        found: dict[str, list[Any]] = {}
        union = self.graph_name is None
        for quad in self._quads(None, predicate):
            objects = found.get(subject := quad.subject.value)
            if objects is None:
                found[subject] = [quad.object]
            elif not union or quad.object not in objects:  # once, however many graphs hold it
                objects.append(quad.object)
        return found

    def objects(self, subject: str, predicate: Node) -> list[Any]:
        """The objects of ``(subject, predicate, ?)`` as :meth:`table` holds them for ``subject``:
        each once, in the same order (both indexes keep a subject's objects in object order)."""
        return list(dict.fromkeys(quad.object for quad in self._quads(URIRef(subject), predicate)))

    def instances(self, cls: Node) -> Iterator[str]:
        """IRIs of the nodes typed ``cls`` (blank nodes left out), each once, in the store's order."""
        seen: set[str] = set()
        for quad in self._quads(None, RDF.type, cls):
            if type(quad.subject) is ox.NamedNode and (iri := quad.subject.value) not in seen:
                seen.add(iri)
                yield iri

    def _quads(self, subject: Node | None, predicate: Node, obj: Node | None = None) -> Iterable[Any]:
        return self.store.quads_for_pattern(
            to_ox(subject) if subject is not None else None,
            to_ox(predicate),
            to_ox(obj) if obj is not None else None,
            self.graph_name,
        )

    def subjects(self, predicate: Node, obj: Node) -> Iterable[Node]:
        """Subjects of ``(?, predicate, obj)``, each once."""
        return dict.fromkeys(self._convert(q.subject) for q in self._quads(None, predicate, obj))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One object of ``(subject, predicate, ?)``, or None."""
        for quad in self._quads(subject, predicate):
            return self._convert(quad.object)
        return None

    def _fields(self, subject: Any) -> tuple[dict[str, str], set[str]]:
        """One node's statements in one lookup: {predicate: first object's IRI or text}, and its types."""
        fields: dict[str, str] = {}
        types: set[str] = set()
        for quad in self.store.quads_for_pattern(subject, None, None, self.graph_name):
            predicate, value = quad.predicate.value, quad.object.value
            if predicate == _RDF_TYPE:
                types.add(value)
            fields.setdefault(predicate, value)
        return fields, types

    def _first_value(self, subject: Any, predicate: Any) -> str | None:
        """The IRI or text of the first object of ``(subject, predicate, ?)``, in the order :meth:`_fields` reads."""
        for quad in self.store.quads_for_pattern(subject, predicate, None, self.graph_name):
            return str(quad.object.value)
        return None

    def evidence_rows(
        self, subjects: list[str], objects: Iterable[str], wanted: Callable[[dict[str, str]], bool]
    ) -> Iterator[dict[str, str]]:
        """Each kg:Evidence whose rdf:subject is one of ``subjects`` and one of whose rdf:object
        is one of ``objects``, once (as ``s`` the first of ``subjects`` that names it), when
        ``wanted`` takes its head: ``ev``, ``s``, ``p``, ``o`` (its first rdf:object) and, for
        holdsPost, ``org`` the post's organisation. The row adds its fields by local name and
        its sentence's (``text``, ``inArticle``, ``sentenceStart``, ``sentenceEnd``).

        Which evidence names one of ``objects`` is a lookup per object: most evidence of the
        hubs a page draws links them to an entity it does not draw (a fifth is left). The
        head of the rest is two lookups; its fields, a lookup for the evidence and one per
        sentence, are read only for what ``wanted`` takes."""
        subject_predicate, predicate_predicate, object_predicate = (
            ox.NamedNode(str(term)) for term in (RDF.subject, RDF.predicate, RDF.object)
        )
        post_in = ox.NamedNode(str(KG.postIn))
        named = {
            quad.subject.value
            for iri in objects
            for quad in self.store.quads_for_pattern(None, object_predicate, ox.NamedNode(iri), self.graph_name)
        }
        seen: set[str] = set()
        sentences: dict[str, dict[str, str]] = {}
        for iri in subjects:
            for quad in self.store.quads_for_pattern(None, subject_predicate, ox.NamedNode(iri), self.graph_name):
                node = quad.subject
                if type(node) is not ox.NamedNode or node.value in seen:
                    continue
                seen.add(node.value)  # the same for each of its subjects: decided by the first
                if node.value not in named:
                    continue
                target = self._first_value(node, object_predicate)
                if target is None:
                    continue
                row = {"ev": node.value, "s": iri, "p": self._first_value(node, predicate_predicate) or "", "o": target}
                if row["p"] == KG_NS + "holdsPost":
                    post = self._first_value(ox.NamedNode(target), post_in)
                    if post is not None:
                        row["org"] = post
                if not wanted(row):
                    continue
                fields, types = self._fields(node)
                if _EVIDENCE not in types:
                    continue
                for name in ("article", "rule", "confidence", "startOffset", "endOffset", "sentence"):
                    if KG_NS + name in fields:
                        row[name] = fields[KG_NS + name]
                if "sentence" in row:
                    sentence = sentences.get(row["sentence"])
                    if sentence is None:
                        read, _ = self._fields(ox.NamedNode(row["sentence"]))
                        sentence = sentences[row["sentence"]] = {
                            key: read[KG_NS + name]
                            for name, key in (
                                ("text", "text"),
                                ("inArticle", "inArticle"),
                                ("startOffset", "sentenceStart"),
                                ("endOffset", "sentenceEnd"),
                            )
                            if KG_NS + name in read
                        }
                    row.update(sentence)
                yield row

    def headlines(self, articles: list[str]) -> dict[str, str]:
        """Article IRI → kg:headline, for ``articles``."""
        found = {}
        for article in articles:
            headline = self.objects(article, KG.headline)
            if headline:
                found[article] = _lexical(headline[0])
        return found

    def subject_objects(self, predicate: Node) -> Iterable[tuple[Node, Node | str]]:
        """``(subject, object)`` pairs of ``predicate``, each once; a literal object is its text.

        Made for the bulk reads of :func:`collect` (sentences, offsets, evidence), which only
        take the text or number of a literal: building an rdflib Literal for each of them
        was most of the time.
        """
        convert = self._convert
        literal = ox.Literal
        pairs = (
            (convert(q.subject), q.object.value if type(q.object) is literal else convert(q.object))
            for q in self._quads(None, predicate)
        )
        return pairs if self.graph_name is not None else dict.fromkeys(pairs)


def _post_name(post: Any, labels: dict[str, list[Any]], titles: dict[str, list[Any]]) -> str:
    """A post's label, else its title, else its IRI's last part (a literal is no post: its text)."""
    if type(post) is ox.Literal:
        return _fallback_name(_lexical(post))
    return (
        _preferred_label(labels.get(post.value, ())) or _text(_first(titles, post.value)) or _fallback_name(post.value)
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cycle collector paused (as the caller had it after): :func:`collect` makes millions
    of objects that form no cycles, and the collector's passes over them were a sixth of its time;
    :func:`explore` and :func:`render_view` make more while those are alive (a tenth of the page's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _table(graph: Graph | StoreGraph, predicate: Node) -> dict[str, list[Any]]:
    """The objects of every ``(?, predicate, ?)`` by subject's text, as Oxigraph terms
    (:meth:`StoreGraph.table`), so that :func:`collect` reads a store and an rdflib graph alike."""
    if isinstance(graph, StoreGraph):
        return graph.table(predicate)
    found: dict[str, list[Any]] = defaultdict(list)
    for subject, obj in graph.subject_objects(predicate):
        found[str(subject)].append(to_ox(obj))
    return found


def _instances(graph: Graph | StoreGraph, cls: Node) -> Iterable[str]:
    """IRIs of the nodes typed ``cls``, each once (see :meth:`StoreGraph.instances`)."""
    if isinstance(graph, StoreGraph):
        return graph.instances(cls)
    return dict.fromkeys(str(node) for node in graph.subjects(RDF.type, cls) if isinstance(node, URIRef))


@_gc_paused()
def collect(graph: Graph | StoreGraph, *, evidence: bool = True, panels: bool = True) -> Collected:
    """Read entities, metrics, relations and their evidence from ``graph``.

    ``evidence=False`` leaves out evidence, sentences and headlines; ``panels=False`` the
    articles of each entity and the figures of each metric (:func:`explore` reads both for
    the drawn entities only, from a store: on a big graph most are never drawn).
    """
    labels, aliases_of, posts_of, titles, post_in = (
        _table(graph, p) for p in (RDFS.label, SKOS.altLabel, KG.holdsPost, KG.postTitle, KG.postIn)
    )
    mentions = _table(graph, KG.mentionedIn) if panels else {}
    metric_fields = tuple(_table(graph, p) for p in _METRIC_FIELDS) if panels else ()

    entities: dict[str, Entity] = {}
    for cls in drawn_classes():
        for iri in _instances(graph, URIRef(KG_NS + cls)):
            if iri in entities:
                continue
            name = _preferred_label(labels.get(iri, ())) or _fallback_name(iri)
            found = aliases_of.get(iri)  # most entities have none: no set or sort for them
            aliases = sorted({_lexical(a) for a in found} - {name}) if found else []
            found = mentions.get(iri)
            articles = sorted(_lexical(a) for a in found) if found else []
            entity = Entity(iri, cls, name, aliases, articles)
            if cls == "Metric" and panels:
                entity.metric = _metric((_first(table, iri) for table in metric_fields), name)
            if cls == "Person":
                entity.posts = sorted(_post_name(post, labels, titles) for post in posts_of.get(iri, ()))
            entities[iri] = entity
    del labels, aliases_of, mentions, metric_fields  # the page's memory peaks here, beside the SHACL check's

    relations: dict[tuple[str, str, str], Relation] = {}

    def add(source: str, predicate: str, target: str, detail: str | None = None) -> None:
        key = (source, predicate, target)
        if source not in entities or target not in entities or source == target:
            return
        relation = relations.get(key)
        if relation is None:
            relation = relations[key] = Relation(*key)
        if detail and detail not in relation.details:
            relation.details.append(detail)

    for predicate in drawn_relations():
        if predicate == "holdsPost":  # drawn from the person to the post's organisation, below
            continue
        for source, targets in _table(graph, URIRef(KG_NS + predicate)).items():
            for target in targets:
                add(source, predicate, target.value)
    for policy, issuers in _table(graph, KG.issuedBy).items():
        for issuer in issuers:
            add(issuer.value, "issues", policy)
    post_owner: dict[str, str] = {}
    for person, posts in posts_of.items():
        for post in posts:
            organisation = None if type(post) is ox.Literal else _first(post_in, post.value)
            if organisation is not None:
                post_owner[post.value] = organisation.value
                add(person, "holdsPost", organisation.value, _text(_first(titles, post.value)))

    sentences: dict[str, tuple[str, str | None, int | None, int | None]] = {}
    headlines: dict[str, str] = {}
    if evidence:
        _attach_evidence(graph, relations, post_owner)
        starts = dict(graph.subject_objects(KG.startOffset))
        ends = dict(graph.subject_objects(KG.endOffset))
        articles_of = dict(graph.subject_objects(KG.inArticle))
        for sentence, text in graph.subject_objects(KG.text):
            sentences[str(sentence)] = (
                str(text),
                _text(articles_of.get(sentence)),
                _int(starts.get(sentence)),
                _int(ends.get(sentence)),
            )
        headlines = {str(article): str(headline) for article, headline in graph.subject_objects(KG.headline)}
    ordered = sorted(relations.values(), key=lambda r: (r.source, r.predicate, r.target))
    for relation in ordered:
        relation.details.sort()
    return Collected(entities, ordered, sentences, headlines)


def _attach_evidence(
    graph: Graph | StoreGraph, relations: dict[tuple[str, str, str], Relation], post_owner: dict[str, str]
) -> None:
    """Hang every kg:Evidence on the relation it supports (holdsPost → the post's organisation)."""
    subjects = dict(graph.subject_objects(RDF.subject))
    predicates = dict(graph.subject_objects(RDF.predicate))
    objects = dict(graph.subject_objects(RDF.object))
    sentence_of = dict(graph.subject_objects(KG.sentence))
    article_of = dict(graph.subject_objects(KG.article))
    rules = dict(graph.subject_objects(KG.rule))
    confidences = dict(graph.subject_objects(KG.confidence))
    starts = dict(graph.subject_objects(KG.startOffset))
    ends = dict(graph.subject_objects(KG.endOffset))
    for evidence in sorted(e for e in graph.subjects(RDF.type, KG.Evidence) if isinstance(e, Identifier)):
        source, predicate, target = subjects.get(evidence), predicates.get(evidence), objects.get(evidence)
        if (
            source is None
            or target is None
            or not isinstance(predicate, URIRef)
            or not str(predicate).startswith(KG_NS)
        ):
            continue
        name = str(predicate)[len(KG_NS) :]
        if name == "issuedBy":
            source, target, name = target, source, "issues"
        elif name == "holdsPost":
            is_post = isinstance(target, Node) and not isinstance(target, Literal)
            target = post_owner.get(str(target)) if is_post else None
            if target is None:
                continue
        relation = relations.get((str(source), name, str(target)))
        if relation is None:
            continue
        relation.evidence.append(
            Evidence(
                sentence=_text(sentence_of.get(evidence)),
                article=_text(article_of.get(evidence)),
                rule=_text(rules.get(evidence)) or "",
                confidence=_float(confidences.get(evidence)),
                start=_int(starts.get(evidence)),
                end=_int(ends.get(evidence)),
            )
        )


def _attach_panels(graph: StoreGraph, data: Collected, nodes: list[str]) -> None:
    """The articles and metric figures of the drawn ``nodes``, as :func:`collect` reads them
    for every entity when asked for its panels."""
    for iri in nodes:
        entity = data.entities[iri]
        entity.articles = sorted(_lexical(a) for a in graph.objects(iri, KG.mentionedIn))
        if entity.cls == "Metric":
            entity.metric = _metric((next(iter(graph.objects(iri, p)), None) for p in _METRIC_FIELDS), entity.name)


def _attach_drawn_evidence(graph: StoreGraph, data: Collected, nodes: list[str], relations: list[Relation]) -> None:
    """Evidence, sentences and headlines for the drawn ``relations`` only, looked up in the store.

    Gives each drawn relation exactly what :func:`_attach_evidence` would (same rules, same
    order), reading the evidence of the drawn entities instead of every kg:Evidence, and the
    fields of those that support a drawn relation only (see :meth:`StoreGraph.evidence_rows`).
    """
    drawn = {(r.source, r.predicate, r.target): r for r in relations}
    found: dict[tuple[str, str, str], list[tuple[str, Evidence]]] = defaultdict(list)
    ends = sorted({r.source for r in relations} | {r.target for r in relations})
    articles: set[str] = set()

    def key_of(row: dict[str, str]) -> tuple[str, str, str] | None:
        """The relation an evidence row supports, as :func:`_attach_evidence` reads it."""
        source, predicate, target = row["s"], row["p"], row["o"]
        if not predicate.startswith(KG_NS):
            return None
        name = predicate[len(KG_NS) :]
        if name == "issuedBy":
            source, target, name = target, source, "issues"
        elif name == "holdsPost":
            organisation = row.get("org")
            if organisation is None:
                return None
            target = organisation
        return (source, name, target)

    # A drawn relation's evidence names one of its ends as rdf:object, or (holdsPost) a post in its target.
    objects = set(ends)
    for organisation in {r.target for r in relations if r.predicate == "holdsPost"}:
        objects.update(
            str(post) for post in graph.subjects(KG.postIn, URIRef(organisation)) if isinstance(post, URIRef)
        )
    for row in graph.evidence_rows(ends, objects, lambda row: key_of(row) in drawn):
        key = key_of(row)
        assert key is not None  # wanted above
        sentence, article = row.get("sentence"), row.get("article")
        found[key].append(
            (
                row["ev"],
                Evidence(
                    sentence=sentence,
                    article=article,
                    rule=row.get("rule") or "",
                    confidence=_float(row.get("confidence")),
                    start=_int(row.get("startOffset")),
                    end=_int(row.get("endOffset")),
                ),
            )
        )
        if article:
            articles.add(article)
        text = row.get("text")
        if sentence and text is not None and sentence not in data.sentences:
            in_article = row.get("inArticle")
            data.sentences[sentence] = (text, in_article, _int(row.get("sentenceStart")), _int(row.get("sentenceEnd")))
            if in_article:
                articles.add(in_article)
    for key, items in found.items():
        items.sort(key=lambda item: item[0])
        drawn[key].evidence = [item[1] for item in items]
    for iri in nodes:
        articles.update(data.entities[iri].articles)
    for article, headline in graph.headlines(sorted(articles)).items():
        data.headlines[article] = headline


# ---------------------------------------------------------------------------------------
# Choosing what to draw
# ---------------------------------------------------------------------------------------


@dataclass
class View:
    """The part of a graph one page draws, and what the page should say about the rest."""

    data: Collected
    nodes: list[str]
    """IRIs of the drawn entities, most important first."""
    relations: list[Relation]
    """Relations whose two ends are drawn."""
    focus: list[str] = field(default_factory=list)
    """IRIs of the ``--focus`` entities, if any."""
    focus_name: str | None = None
    depth: int | None = None
    omitted: list[str] = field(default_factory=list)
    """IRIs of entities left out by ``max_nodes``, most connected first."""
    max_nodes: int = DEFAULT_MAX_NODES

    @property
    def truncated(self) -> bool:
        """True when ``max_nodes`` left entities out."""
        return bool(self.omitted)

    def note(self) -> str | None:
        """One paragraph for the top of the page: what was left out and how to see it."""
        total_nodes, total_relations = len(self.data.entities), len(self.data.relations)
        parts: list[str] = []
        if self.focus:
            parts.append(
                f"以「{self.focus_name}」为中心、{self.depth} 跳以内：{len(self.nodes)} 个节点、{len(self.relations)} 条关系"
                f"（全图 {total_nodes} 个节点、{total_relations} 条关系）。"
            )
        if self.omitted and self.focus:
            left = len(self.omitted)
            parts.append(
                f"邻域太大，只显示离中心最近的 {len(self.nodes)} 个节点，省略 {left} 个（--max-nodes {self.max_nodes}）；"
                f"可减小 --depth 或增大 --max-nodes。 Showing the {len(self.nodes)} nearest of "
                f"{len(self.nodes) + left} nodes; use a smaller --depth or a larger --max-nodes."
            )
        elif self.omitted:
            left = len(self.omitted)
            example = shlex.quote(self.data.entities[self.omitted[0]].name)
            parts.append(
                f"节点太多，只显示连接最多的 {len(self.nodes)} 个节点和 {len(self.relations)} 条关系，"
                f"省略 {left} 个节点（--max-nodes {self.max_nodes}）。"
                "小簇（+N）点击展开；在上方搜索框输入名称可找到并展开未显示的实体；"
                f"或运行 kg viz --focus 名称 --depth 2，例如 kg viz --focus {example}。"
                f" Showing the {len(self.nodes)} most connected of {total_nodes} nodes; {left} left out."
                " Click a +N cluster to open it; search above finds and draws the others;"
                " or run kg viz --focus NAME"
            )
        return " ".join(parts) or None

    def summary(self) -> str:
        """A one-line account for the command line."""
        text = f"{len(self.nodes)} nodes, {len(self.relations)} relations"
        if self.focus:
            text += f" around {self.focus_name} (depth {self.depth})"
        if self.omitted:
            text += f"; {len(self.omitted)} nodes left out by --max-nodes {self.max_nodes}"
        return text


def _norm(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def find_entities(data: Collected, name: str) -> list[str]:
    """IRIs of the entities whose name or alias is ``name`` (NFKC, case and spaces ignored), or
    the entity ``name`` writes as an IRI (bare, ``<…>`` or ``park:南昌高新区``, as tables show it).

    Raises :class:`~kg.errors.UsageError` naming the closest names when there is none.
    """
    iri = expand_iri(name, instance_prefixes()) or name.strip()  # the page shows IRIs bare
    if iri in data.entities:
        return [iri]
    wanted = _norm(name)
    if not wanted:
        raise UsageError("--focus needs a name, e.g. --focus 南昌高新区")
    names: dict[str, list[str]] = defaultdict(list)
    for iri, entity in data.entities.items():
        for label in (entity.name, *entity.aliases):
            names[_norm(label)].append(iri)
    if wanted in names:
        return sorted(set(names[wanted]))
    display = {_norm(e.name): e.name for e in data.entities.values()}
    for entity in data.entities.values():
        for alias in entity.aliases:
            display.setdefault(_norm(alias), alias)
    longer = [display[k] for k in sorted(display, key=lambda k: (len(k), k)) if wanted in k][:5]
    shorter = [display[k] for k in sorted(display, key=lambda k: (-len(k), k)) if len(k) > 1 and k in wanted][:3]
    close = [display[k] for k in get_close_matches(wanted, list(display), n=5, cutoff=0.4)]
    suggestions = list(dict.fromkeys(longer + close + shorter))[:8]
    hint = (
        f"close names: {', '.join(suggestions)}"
        if suggestions
        else "no similar name either; run kg viz without --focus to see every name"
    )
    raise UsageError(f"--focus {name!r}: no entity has this name or alias in the graph; {hint}")


def _degrees(data: Collected) -> dict[str, int]:
    degree = dict.fromkeys(data.entities, 0)
    for relation in data.relations:
        degree[relation.source] += 1
        degree[relation.target] += 1
    return degree


def _by_degree(nodes: Iterable[str], degree: dict[str, int]) -> list[str]:
    """``nodes`` most connected first, ties by IRI: ``sorted`` by ``(-degree, iri)`` without a
    tuple per node (a sort keeps the order of equal keys, reversed or not)."""
    order = sorted(nodes)
    order.sort(key=degree.__getitem__, reverse=True)
    return order


def _most_connected(neighbours: dict[str, set[str]], degree: dict[str, int], limit: int) -> list[str]:
    """Up to ``limit`` entities: whole components, biggest first, each grown from its best hub.

    Inside a component that does not fit, nodes join best-first by degree from the hub, so the
    part drawn stays connected and keeps the hubs.
    """
    seen: set[str] = set()
    components: list[list[str]] = []
    for start in _by_degree(neighbours, degree):
        if start in seen:
            continue
        component, stack = [], [start]
        seen.add(start)
        while stack:
            node = stack.pop()
            component.append(node)
            for other in neighbours[node]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        components.append(component)
    components.sort(key=lambda c: (-len(c), -max(degree[n] for n in c)))
    kept: list[str] = []
    for component in components:
        if len(kept) >= limit:
            break
        hub = min(component, key=lambda n: (-degree[n], n))
        heap, queued = [(-degree[hub], hub)], {hub}
        while heap and len(kept) < limit:
            _, node = heapq.heappop(heap)
            kept.append(node)
            for other in neighbours[node]:
                if other not in queued:
                    queued.add(other)
                    heapq.heappush(heap, (-degree[other], other))
    return kept


def _neighbourhood(neighbours: dict[str, set[str]], degree: dict[str, int], roots: list[str], depth: int) -> list[str]:
    """Entities within ``depth`` hops of ``roots``, nearest first, hubs first within a ring."""
    order = list(roots)
    seen = set(roots)
    ring = list(roots)
    for _ in range(depth):
        following = sorted({o for n in ring for o in neighbours[n]} - seen, key=lambda n: (-degree[n], n))
        if not following:
            break
        seen.update(following)
        order.extend(following)
        ring = following
    return order


@_gc_paused()
def explore(
    graph: Graph | StoreGraph | Collected,
    *,
    focus: str | None = None,
    depth: int = DEFAULT_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> View:
    """Choose what one page draws: all of ``graph``, or ``depth`` hops around ``focus``.

    At most ``max_nodes`` entities are kept — the most connected part, or the nearest to
    ``focus`` — and the :class:`View` remembers what was left out.
    """
    if max_nodes < 1:
        raise UsageError(f"--max-nodes must be at least 1, not {max_nodes}")
    if depth < 0:
        raise UsageError(f"--depth must be 0 or more, not {depth}")
    # From a store (a big graph) evidence is read afterwards, for the drawn relations only.
    lean = isinstance(graph, StoreGraph)
    data = graph if isinstance(graph, Collected) else collect(graph, evidence=not lean, panels=not lean)
    neighbours = data.adjacency()
    degree = _degrees(data)
    roots: list[str] = []
    if focus is not None:
        roots = find_entities(data, focus)
        candidates = _neighbourhood(neighbours, degree, roots, depth)
        nodes, omitted = candidates[:max_nodes], candidates[max_nodes:]
        if len(roots) > max_nodes:
            raise UsageError(f"--focus {focus!r} names {len(roots)} entities, more than --max-nodes {max_nodes}")
    else:
        nodes = _most_connected(neighbours, degree, max_nodes)
        kept = set(nodes)
        omitted = _by_degree((n for n in data.entities if n not in kept), degree)
    kept = set(nodes)
    relations = [r for r in data.relations if r.source in kept and r.target in kept]
    if lean:
        _attach_panels(graph, data, nodes)  # type: ignore[arg-type]
        _attach_drawn_evidence(graph, data, nodes, relations)  # type: ignore[arg-type]
    return View(
        data=data,
        nodes=nodes,
        relations=relations,
        focus=roots,
        focus_name=focus,
        depth=depth if focus is not None else None,
        omitted=omitted,
        max_nodes=max_nodes,
    )


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------


def _fold_trees(nodes: list[str], relations: list[Relation]) -> tuple[list[str], dict[str, str], dict[str, int]]:
    """Split a large view into a core that physics lays out and trees folded onto it.

    The 2-core (what is left after peeling nodes of degree ≤ 1 until none is left) is
    networkx's :func:`~networkx.k_core`; each tree that hung off it (a park's enterprises and
    metrics, a person, a policy) is placed around its anchor by the page once physics is done,
    which keeps the layout work small. A relation of a node to itself anchors nothing. Returns
    the core (every tree-only component keeps its best-connected node), the folded nodes'
    parents in breadth-first order (a parent comes before its children), and how many folded
    nodes each core node carries.
    """
    import networkx as nx

    neighbours: dict[str, set[str]] = {n: set() for n in nodes}
    for relation in relations:
        if relation.source != relation.target:
            neighbours[relation.source].add(relation.target)
            neighbours[relation.target].add(relation.source)
    network = nx.Graph()
    network.add_nodes_from(nodes)
    network.add_edges_from((node, other) for node, others in neighbours.items() for other in others)
    alive = set(nx.k_core(network, 2))
    for component in nx.connected_components(network):
        if alive.isdisjoint(component):  # all tree: its best-connected node stays
            alive.add(min(component, key=lambda n: (-len(neighbours[n]), n)))
    core = [n for n in nodes if n in alive]
    parent: dict[str, str] = {}
    anchor: dict[str, str] = {n: n for n in core}
    ring = core
    while ring:
        following = []
        for node in ring:
            for other in sorted(neighbours[node], key=lambda n: (-len(neighbours[n]), n)):
                if other not in anchor:
                    parent[other] = node
                    anchor[other] = anchor[node]
                    following.append(other)
        ring = following
    carried: dict[str, int] = defaultdict(int)
    for node in parent:
        carried[anchor[node]] += 1
    return core, parent, carried


def _sunflower(core: list[str], relations: list[Relation], spacing: float = 60.0) -> dict[str, tuple[int, int]]:
    """Starting positions for the core: breadth-first from the hubs along a sunflower spiral.

    Hubs sit in the middle and their neighbours close by, so physics starts from a rough
    picture instead of vis-network's default (every node on one circle), and the layout is
    the same on every load.
    """
    members = set(core)
    neighbours: dict[str, list[str]] = {n: [] for n in core}
    for relation in relations:
        if relation.source in members and relation.target in members:
            neighbours[relation.source].append(relation.target)
            neighbours[relation.target].append(relation.source)
    order: list[str] = []
    seen: set[str] = set()
    for hub in sorted(core, key=lambda n: (-len(neighbours[n]), n)):
        if hub in seen:
            continue
        seen.add(hub)
        start = len(order)
        order.append(hub)
        for node in order[start:]:  # breadth first; the list grows while it is walked
            for other in sorted(neighbours[node], key=lambda n: (-len(neighbours[n]), n)):
                if other not in seen:
                    seen.add(other)
                    order.append(other)
    golden = math.pi * (3 - math.sqrt(5))
    return {
        node: (
            round(spacing * math.sqrt(i) * math.cos(i * golden)),
            round(spacing * math.sqrt(i) * math.sin(i * golden)),
        )
        for i, node in enumerate(order)
    }


def _vis_options(node_count: int, core_size: int | None = None) -> dict[str, Any]:
    """vis-network options: a careful layout for small graphs, a fast one for large ones.

    For a large graph physics only moves the ``core_size`` nodes of the core (see
    :func:`_fold_trees`) and its iterations shrink as the core grows, so the work to settle
    stays about the same whatever the size.
    """
    large = node_count > LARGE_GRAPH
    if large:
        core = max(core_size if core_size is not None else node_count, 1)
        physics: dict[str, Any] = {
            "solver": "barnesHut",
            "barnesHut": {
                "theta": 1.0,
                "gravitationalConstant": -12000,
                "centralGravity": 0.2,
                "springLength": 160,
                "springConstant": 0.04,
                "damping": 0.4,
                "avoidOverlap": 0,
            },
            "stabilization": {
                "enabled": True,
                "iterations": max(40, min(200, 80_000 // core)),
                "updateInterval": 10,
                "fit": True,
            },
            "minVelocity": 2,
        }
    else:
        physics = {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -80,
                "centralGravity": 0.026,
                "springLength": 70,
                "springConstant": 0.1,
                "damping": 0.5,
                "avoidOverlap": 0.8,
            },
            "stabilization": {"enabled": True, "iterations": 600, "updateInterval": 20, "fit": True},
            "minVelocity": 0.8,
        }
    return {
        "autoResize": True,
        "layout": {"improvedLayout": not large, "randomSeed": 7},
        "physics": physics,
        "nodes": {
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
            "font": {"face": _FONT, "size": 15, "color": "#1f2933", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": 6}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.25},
            "font": {"face": _FONT, "size": 11, "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
            "selectionWidth": 2,
            "hoverWidth": 1,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "multiselect": False,
            "navigationButtons": False,
            "keyboard": False,
        },
    }


def _payload(view: View) -> dict[str, Any]:
    """The JSON the page script reads: nodes, edges, evidence tables, styles and options."""
    data = view.data
    index = {iri: i for i, iri in enumerate(view.nodes)}
    degree: defaultdict[str, int] = defaultdict(int)
    for relation in view.relations:
        degree[relation.source] += 1
        degree[relation.target] += 1
    articles: dict[str, int] = {}
    sentences: dict[str, int] = {}

    def article_id(iri: str | None) -> int:
        if iri is None:
            return -1
        if iri not in articles:
            articles[iri] = len(articles)
        return articles[iri]

    def sentence_id(iri: str | None) -> int:
        if iri is None or iri not in data.sentences:
            return -1
        if iri not in sentences:
            sentences[iri] = len(sentences)
            article_id(data.sentences[iri][1])
        return sentences[iri]

    folded: dict[str, str] = {}
    carried: dict[str, int] = {}
    start: dict[str, tuple[int, int]] = {}
    core_size = len(view.nodes)
    if len(view.nodes) > LARGE_GRAPH:
        core, folded, carried = _fold_trees(view.nodes, view.relations)
        start = _sunflower(core, view.relations)
        core_size = len(core)
    nodes = []
    for iri in view.nodes:
        entity = data.entities[iri]
        node: dict[str, Any] = {"id": index[iri], "c": entity.cls, "n": entity.name, "d": degree[iri], "iri": iri}
        hover = [entity.name, f"{schema.CLASSES[entity.cls].zh} {entity.cls} · {degree[iri]} 条关系"]
        if entity.aliases:
            node["a"] = entity.aliases
            hover.append("别名：" + "、".join(entity.aliases))
        if entity.articles:
            node["r"] = [article_id(a) for a in entity.articles]
        if entity.posts:
            node["p"] = entity.posts
            hover.append("职务：" + "、".join(entity.posts))
        if entity.metric is not None:
            metric = entity.metric
            node["m"] = metric
            indicator = metric["indicator"]
            rest = entity.name[len(indicator) :].strip() if entity.name.startswith(indicator) else ""
            node["s"] = short_label(indicator, 10) + ("\n" + short_label(rest, 16) if rest else "")
            if metric["amount"]:
                hover.insert(1, metric["amount"] + (" = " + metric["base"] if metric["base"] else ""))
            flags = [f for f in (metric["qualifier"], "目标值 target" if metric["target"] else None) if f]
            if flags:
                hover.insert(2, " · ".join(flags))
        else:
            node["s"] = short_label(entity.name)
        if iri in view.focus:
            node["f"] = 1
        if iri in folded:
            node["u"] = index[folded[iri]]
        elif carried.get(iri):
            node["k"] = carried[iri]
        if iri in start:
            node["x"], node["y"] = start[iri]
        node["h"] = "\n".join(hover)
        nodes.append(node)

    evidence_rows: list[list[Any]] = []
    edges = []
    for number, relation in enumerate(view.relations):
        rows = []
        for item in relation.evidence:
            sid = sentence_id(item.sentence)
            span = [-1, -1]
            if sid >= 0 and item.sentence is not None and item.start is not None and item.end is not None:
                text, _, first, last = data.sentences[item.sentence]
                if first is not None and last is not None and last - first == len(text):
                    lo, hi = max(item.start - first, 0), min(item.end - first, len(text))
                    if lo < hi:
                        span = [lo, hi]
            rows.append(len(evidence_rows))
            evidence_rows.append([sid, article_id(item.article), item.rule, item.confidence, *span])
        edge: dict[str, Any] = {
            "id": number,
            "f": index[relation.source],
            "t": index[relation.target],
            "p": relation.predicate,
        }
        if relation.details:
            edge["x"] = "、".join(relation.details)
        if rows:
            edge["e"] = rows
        edges.append(edge)

    sentence_rows = [[data.sentences[iri][0], article_id(data.sentences[iri][1])] for iri in sentences]
    from .extract.rules import RULES  # the extractors' table, loaded only to draw a page

    # Each rule the evidence names, in words: [zh, en, why (zh), why (en)]; why is null when
    # the sentence states the link. A rule this version does not know shows as its id.
    rule_rows = {
        rule: [known.zh, known.en, known.why_zh, known.why_en]
        for rule in sorted({row[2] for row in evidence_rows})
        if (known := RULES.get(rule)) is not None
    }
    article_rows = [data.headlines.get(iri, _fallback_name(iri)) for iri in articles]
    return {
        "classes": {
            name: {"zh": s.zh, "colour": s.colour, "border": s.border, "shape": s.shape}
            for name, s in drawn_classes().items()
        },
        "predicates": {
            name: {"zh": s.zh, "colour": s.colour, "width": s.width, "dashes": list(s.dashes) or False}
            for name, s in drawn_relations().items()
        },
        "nodes": nodes,
        "edges": edges,
        "evidence": evidence_rows,
        "rules": rule_rows,
        "sentences": sentence_rows,
        "articles": article_rows,
        "focus": [index[iri] for iri in view.focus if iri in index],
        "options": _vis_options(len(nodes), core_size),
        "folded": [index[iri] for iri in folded],
        "total": {"nodes": len(data.entities), "edges": len(data.relations), "omitted": len(view.omitted)},
        "more": _left_out(view, index),
    }


def _left_out(view: View, index: dict[str, int]) -> dict[str, list[Any]]:
    """The index of entities the view leaves out: ``{"nodes": [...], "edges": [[from, to, predicate]]}``.

    Ids continue after the drawn nodes. The most connected come first, metrics are left out,
    and both lists stop at :data:`MORE_NODES` and :data:`MORE_EDGES`.
    """
    if not view.omitted:
        return {"nodes": [], "edges": []}
    data = view.data
    degree = _degrees(data)
    ids = dict(index)
    nodes: list[dict[str, Any]] = []
    for iri in view.omitted:
        entity = data.entities[iri]
        if entity.cls == "Metric":
            continue
        if len(nodes) >= MORE_NODES:
            break
        ids[iri] = len(ids)
        node: dict[str, Any] = {"id": ids[iri], "c": entity.cls, "n": entity.name, "d": degree[iri]}
        if entity.aliases:
            node["a"] = entity.aliases
        nodes.append(node)
    edges: list[list[Any]] = []
    for relation in data.relations:
        source, target = ids.get(relation.source), ids.get(relation.target)
        if source is None or target is None or (relation.source in index and relation.target in index):
            continue
        edges.append([source, target, relation.predicate])
        if len(edges) >= MORE_EDGES:
            break
    return {"nodes": nodes, "edges": edges}


def _json_for_script(value: Any) -> str:
    """JSON that cannot end or confuse the ``<script>`` element holding it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # "<" as \u003c also turns every "</" into "\u003c/"; JSON.parse reads both back unchanged.
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    """The vis-network script and stylesheet from pyvis, and our own page, script and style.

    pyvis's folder is found without importing pyvis (its import pulls in networkx and IPython:
    0.3 s of every page)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "pyvis is not installed (kg draws its page with pyvis's vis-network): pip install pyvis"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    vis = (folder if folder.is_dir() else files("pyvis")) / "lib" / "vis-9.1.2"  # files(): a zipped install
    ours = files("kg") / "_data" / "viz"
    assets = {
        "vis_js": (vis / "vis-network.min.js").read_text(encoding="utf-8"),
        "vis_css": (vis / "vis-network.css").read_text(encoding="utf-8"),
        "page": (ours / "page.html").read_text(encoding="utf-8"),
        "js": (ours / "explorer.js").read_text(encoding="utf-8"),
        "css": (ours / "explorer.css").read_text(encoding="utf-8"),
    }
    for name in ("vis_js", "js"):
        if re.search(r"</script|<!--", assets[name], re.IGNORECASE):
            raise RuntimeError(f"{name} contains '</script' or '<!--' and cannot be inlined")
    for name in ("vis_css", "css"):
        if re.search(r"</style|@import|url\(\s*(?!['\"]?data:)", assets[name], re.IGNORECASE):
            raise RuntimeError(f"{name} imports or links a resource, or closes <style>; it must be self-contained")
    return assets


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


_SHAPE_SVG: dict[str, str] = {
    "hexagon": '<polygon points="8,1 14.5,4.5 14.5,11.5 8,15 1.5,11.5 1.5,4.5"/>',
    "dot": '<circle cx="8" cy="8" r="6.5"/>',
    "box": '<rect x="1" y="3.5" width="14" height="9" rx="2.5"/>',
    "ellipse": '<ellipse cx="8" cy="8" rx="7" ry="4.8"/>',
    "diamond": '<polygon points="8,1 15,8 8,15 1,8"/>',
    "triangle": '<polygon points="8,1.5 15,14 1,14"/>',
    "square": '<rect x="2" y="2" width="12" height="12"/>',
}


def _legend(view: View) -> str:
    counts: dict[str, int] = defaultdict(int)
    for iri in view.nodes:
        counts[view.data.entities[iri].cls] += 1
    relation_counts: dict[str, int] = defaultdict(int)
    for relation in view.relations:
        relation_counts[relation.predicate] += 1
    rows = []
    for name, style in drawn_classes().items():
        rows.append(
            f'<label class="cls" title="{html.escape(style.zh)} {name}">'
            f'<input type="checkbox" data-class="{name}" checked>'
            f'<svg viewBox="0 0 16 16" aria-hidden="true" fill="{style.colour}" stroke="{style.border}">{_SHAPE_SVG[style.shape]}</svg>'
            f'<span class="zh">{html.escape(style.zh)}</span><span class="en">{name}</span>'
            f'<span class="count">{counts[name]}</span></label>'
        )
    lines = []
    for name, edge in drawn_relations().items():
        dash = f' stroke-dasharray="{" ".join(str(d / 2) for d in edge.dashes)}"' if edge.dashes else ""
        lines.append(
            f'<div class="rel"><svg viewBox="0 0 36 10" aria-hidden="true"><line x1="1" y1="5" x2="35" y2="5" '
            f'stroke="{edge.colour}" stroke-width="{edge.width}"{dash}/></svg>'
            f'<span class="zh">{html.escape(edge.zh)}</span><span class="en">{name}</span>'
            f'<span class="count">{relation_counts[name]}</span></div>'
        )
    return '<div class="classes">' + "".join(rows) + '</div><div class="rels">' + "".join(lines) + "</div>"


@_gc_paused()
def render_view(view: View, *, title: str = "kg 知识图谱") -> str:
    """The self-contained HTML page for ``view``; article text is escaped data, never markup."""
    assets = _assets()
    note = view.note()
    scripts = [assets["vis_js"], assets["js"]]
    csp = (
        "default-src 'none'; "
        f"script-src {' '.join(_sha256(s) for s in scripts)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; "
        "form-action 'none'; base-uri 'none'"
    )
    parts = {
        "TITLE": html.escape(title),
        "CSP": html.escape(csp),
        "VIS_CSS": assets["vis_css"],
        "CSS": assets["css"],
        "LEGEND": _legend(view),
        "NOTE": f'<div id="note" role="status"><span>{html.escape(note)}</span><button type="button" id="note-close" aria-label="关闭">×</button></div>'
        if note
        else "",
        "STATS": html.escape(f"{len(view.nodes)} 个节点 · {len(view.relations)} 条关系"),
        "DATA": _json_for_script(_payload(view)),
        "VIS_JS": scripts[0],
        "JS": scripts[1],
    }
    # One pass, so text inserted for one marker is never scanned for another.
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: parts[m.group(1)], assets["page"])


def render_html(
    graph: Graph,
    *,
    title: str = "kg 知识图谱",
    focus: str | None = None,
    depth: int = DEFAULT_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> str:
    """The self-contained HTML explorer of ``graph`` (see :func:`explore` for the options)."""
    return render_view(explore(graph, focus=focus, depth=depth, max_nodes=max_nodes), title=title)


def write_view(view: View, destination: str | os.PathLike[str], *, title: str = "kg 知识图谱") -> Path:
    """Write the page for ``view`` atomically; return its path."""
    page = render_view(view, title=title)
    return atomic_write(destination, lambda temp: temp.write_text(page, encoding="utf-8"))


def write_html(
    graph: Graph | StoreGraph,
    destination: str | os.PathLike[str],
    *,
    title: str = "kg 知识图谱",
    focus: str | None = None,
    depth: int = DEFAULT_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Path:
    """Write the HTML explorer of ``graph`` atomically; return its path."""
    return write_view(explore(graph, focus=focus, depth=depth, max_nodes=max_nodes), destination, title=title)
