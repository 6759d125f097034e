"""Extractions → RDF: entities, relations, metrics and their provenance as an rdflib graph.

Identity is decided once for the whole corpus: every entity id (type and key from
``kg.resolve``) gets one deterministic IRI, one ``rdfs:label@zh`` (the spelling used most) and
its other spellings as ``skos:altLabel``. Each article's triples can go to a named graph of
their own (TriG) or all into one graph (Turtle).

Articles are turned into triples one at a time (:meth:`GraphBuilder.facts` gives an
:class:`ArticleFacts`: N-Triples text plus the spellings the labels need), so a build keeps
triples and label counts, never the texts it read; the label triples are added at the end,
from the counts of the whole corpus.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from ._ox import ToRdflib, dataset_quads, nt_term, serialize_triples, to_ox, union_triples
from .errors import UsageError
from .model import Extraction, Relation
from .ontology import DEFAULT_BASE_IRI, KG, KG_NS, ORG, PROV, QUDT, SCHEMA, UNIT, UNITS
from .quantity import format_quantity
from .resolve import iri_slug

__all__ = [
    "PREDICATES",
    "QUALIFIER_TERMS",
    "ArticleFacts",
    "GraphBuilder",
    "LabelIndex",
    "bind_prefixes",
    "choose_label",
    "clean_literal",
    "decimal_literal",
    "prefix_map",
]

QUALIFIER_TERMS: dict[str, URIRef] = {
    "more_than": KG.MoreThan,
    "at_least": KG.AtLeast,
    "approximately": KG.Approximately,
    "less_than": KG.LessThan,
    "at_most": KG.AtMost,
}
PREDICATES: dict[str, URIRef] = {
    "hosts": KG.hosts,
    "issues": KG.issues,
    "achieves": KG.achieves,
    "locatedIn": KG.locatedIn,
    "partOf": KG.partOf,
    "holdsPost": KG.holdsPost,
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def decimal_literal(value: Decimal) -> Literal:
    """An xsd:decimal in canonical form (110000000000.0), so every format round-trips exactly."""
    text = format(value, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def clean_literal(text: str) -> str:
    """Text safe for any RDF serialisation: control characters and lone surrogates → space."""
    return _CONTROL.sub(" ", text)


def bind_prefixes(graph: Graph, base_iri: str = DEFAULT_BASE_IRI) -> None:
    """Bind the prefixes kg writes with, so Turtle stays readable."""
    for prefix, namespace in (
        ("kg", KG_NS),
        ("kgr", base_iri),
        ("qudt", str(QUDT)),
        ("unit", str(UNIT)),
        ("org", str(ORG)),
        ("prov", str(PROV)),
        ("schema", str(SCHEMA)),
        ("skos", str(SKOS)),
    ):
        graph.bind(prefix, namespace, override=True, replace=True)


def _check_base(base_iri: str) -> str:
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"{}|\\^`]+[/#]$", base_iri):
        raise UsageError(
            f"--base-iri {base_iri!r} is not an absolute IRI ending in '/' or '#'; "
            "give one like https://example.org/parks/"
        )
    return base_iri


@dataclass(slots=True)
class ArticleFacts:
    """One article turned into RDF, without the Document text: what a worker sends back.

    ``ntriples`` holds every triple of the article that does not depend on other articles, as
    N-Triples lines. Labels are chosen corpus-wide, so the article only records the spellings it
    used: ``names`` is one ``(entity id, label, aliases)`` per entity it names and ``posts`` one
    ``(post IRI, organisation entity id, title)`` per post held; :class:`GraphBuilder` adds the
    ``rdfs:label`` / ``skos:altLabel`` triples once every article is in.
    """

    key: str
    source: str
    ntriples: str
    names: tuple[tuple[str, str, tuple[str, ...]], ...]
    posts: tuple[tuple[str, str, str], ...]

    @property
    def triples(self) -> int:
        """How many N-Triples lines the article has (before labels)."""
        return self.ntriples.count("\n")


def choose_label(spellings: Counter[str]) -> str:
    """The canonical label among the spellings of an entity: most used, then longest, then last."""
    return max(spellings, key=lambda s: (spellings[s], len(s), s))


class LabelIndex:
    """Label counts of every entity and the posts held, kept as articles come and go."""

    def __init__(self) -> None:
        self.spellings: dict[str, Counter[str]] = defaultdict(Counter)
        self.aliases: dict[str, Counter[str]] = defaultdict(Counter)
        self.posts: Counter[tuple[str, str, str]] = Counter()

    def add(self, facts: ArticleFacts, sign: int = 1) -> None:
        """Count (``sign=1``) or uncount (``sign=-1``) the spellings of one article."""
        for ident, label, aliases in facts.names:
            self.spellings[ident][label] += sign
            for alias in (label, *aliases):
                self.aliases[ident][alias] += sign
            if sign < 0:
                self.spellings[ident] = +self.spellings[ident]
                self.aliases[ident] = +self.aliases[ident]
                if not self.spellings[ident]:
                    del self.spellings[ident], self.aliases[ident]
        for post in facts.posts:
            self.posts[post] += sign
        if sign < 0:
            self.posts = +self.posts

    def chosen(self, ident: str) -> tuple[str, set[str]] | None:
        """``(label, other spellings)`` of an entity id, or None if no article names it."""
        spellings = self.spellings.get(ident)
        if not spellings:
            return None
        label = choose_label(spellings)
        return label, set(self.aliases[ident]) - {label}


_COUNT_UNION = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"


class GraphBuilder:
    """Collects extractions from many documents and writes them as one graph or a dataset.

    Each article is turned into triples as soon as it is added (:meth:`facts`, which is what
    the worker processes of a parallel build run) and kept in an in-memory pyoxigraph store;
    the Document and its text are not kept. Only the label counts stay in Python, and the
    label triples are added when output is asked for. With ``named_graphs=True`` every article
    has a named graph of its own (needed by :meth:`dataset`, TriG and N-Quads); with False
    everything goes into one graph, which takes about half the memory.
    """

    def __init__(self, *, base_iri: str = DEFAULT_BASE_IRI, named_graphs: bool = True) -> None:
        self.base = Namespace(_check_base(base_iri))
        self.named_graphs = named_graphs
        self.labels = LabelIndex()
        self.articles = 0
        self._store: ox.Store | None = None
        self._placements: list[tuple[str, tuple[str, ...], tuple[tuple[str, str, str], ...]]] = []
        self._label_quads: list[ox.Quad] | None = None

    def add(self, extractions: Iterable[Extraction]) -> None:
        """Turn the extractions of one or more documents into triples and keep them."""
        for extraction in extractions:
            self.add_facts(self.facts(extraction))

    def add_facts(self, facts: ArticleFacts) -> None:
        """Keep the triples of one article made by :meth:`facts` (here or in a worker)."""
        store = self.store_unlabelled()
        if self._label_quads is not None:  # output was asked for before: labels are stale now
            for quad in self._label_quads:
                store.remove(quad)
            self._label_quads = None
        article = self.article_iri(facts.key)
        graph = ox.NamedNode(article) if self.named_graphs else ox.DefaultGraph()
        store.load(facts.ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        self.labels.add(facts)
        if self.named_graphs:
            self._placements.append((article, tuple(ident for ident, _, _ in facts.names), facts.posts))
        self.articles += 1

    # Identity -----------------------------------------------------------------
    def entity_iri(self, ident: str) -> URIRef:
        """The IRI of an entity id such as ``Park:南昌高新区`` (type folded to lower case)."""
        type_, _, key = ident.partition(":")
        if type_ == "Person":
            name, _, org = key.partition("@")
            return self.base[f"person/{iri_slug(name)}--{hashlib.sha1(org.encode()).hexdigest()[:10]}"]
        return self.base[f"{type_.lower()}/{iri_slug(key)}"]

    def article_iri(self, key: str) -> URIRef:
        return self.base[f"article/{key}"]

    def post_iri(self, org_ident: str, title: str) -> URIRef:
        """The IRI of the post ``title`` in the organisation ``org_ident``."""
        return self.base[f"post/{iri_slug(org_ident.partition(':')[2], title)}"]

    def _labels(self) -> dict[str, tuple[str, set[str]]]:
        """Corpus-wide label and aliases per entity id."""
        return {ident: chosen for ident in self.labels.spellings if (chosen := self.labels.chosen(ident))}

    def label_triples(
        self, idents: Iterable[str], posts: Iterable[tuple[str, str, str]], labels: LabelIndex | None = None
    ) -> Iterable[tuple]:
        """The ``rdfs:label`` / ``skos:altLabel`` triples of entities and posts, from ``labels``."""
        labels = labels or self.labels
        for ident in idents:
            chosen = labels.chosen(ident)
            if chosen is None:
                continue
            label, aliases = chosen
            iri = self.entity_iri(ident)
            yield iri, RDFS.label, Literal(clean_literal(label), lang="zh")
            for alias in sorted(aliases):
                yield iri, SKOS.altLabel, Literal(clean_literal(alias), lang="zh")
        for post, org_ident, title in posts:
            chosen = labels.chosen(org_ident)
            org_label = chosen[0] if chosen else ""
            yield URIRef(post), RDFS.label, Literal(clean_literal(f"{org_label}{title}"), lang="zh")

    # Output -------------------------------------------------------------------
    def store_unlabelled(self) -> ox.Store:
        if self._store is None:
            self._store = ox.Store()
        return self._store

    def store(self) -> ox.Store:
        """The pyoxigraph store with every triple, labels included (added on first call)."""
        store = self.store_unlabelled()
        if self._label_quads is None:
            quads: list[ox.Quad] = []
            if self.named_graphs:
                for article, idents, posts in self._placements:
                    graph = ox.NamedNode(article)
                    quads.extend(ox.Quad(*map(to_ox, t), graph) for t in self.label_triples(idents, posts))
            else:
                triples = self.label_triples(list(self.labels.spellings), list(self.labels.posts))
                quads = [ox.Quad(*map(to_ox, t), ox.DefaultGraph()) for t in triples]
            store.extend(quads)
            self._label_quads = quads
        return store

    def triple_count(self) -> int:
        """The number of distinct triples of the union graph, labels included."""
        store = self.store()
        if not self.named_graphs:
            return len(store)
        return int(next(iter(store.query(_COUNT_UNION)))["n"].value)

    def graph(self) -> Graph:
        """Everything in one rdflib Graph (for Turtle, N-Triples, JSON-LD)."""
        graph = Graph()
        bind_prefixes(graph, str(self.base))
        add = graph.add
        convert = ToRdflib()
        for triple in union_triples(self.store(), named=self.named_graphs):
            add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
        return graph

    def dataset(self) -> Dataset:
        """One named graph per article (for TriG and N-Quads)."""
        if not self.named_graphs:
            raise UsageError("this graph was built without named graphs; build with named_graphs=True for TriG or N-Quads")
        dataset = Dataset()
        bind_prefixes(dataset, str(self.base))
        convert = ToRdflib()
        graphs: dict[str, Graph] = {}
        for quad in dataset_quads(self.store()):
            name = quad.graph_name.value
            named = graphs.get(name)
            if named is None:
                named = graphs[name] = dataset.graph(URIRef(name))
            named.add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))
        return dataset

    def write(self, destination: str | os.PathLike[str] | IO[bytes], format_name: str = "turtle") -> None:
        """Serialise with pyoxigraph (fast): turtle, nt, trig or nquads; json-ld goes through rdflib."""
        store = self.store()
        prefixes = prefix_map(str(self.base))
        if format_name in ("trig", "nquads"):
            if not self.named_graphs:
                raise UsageError(f"format {format_name!r} needs one graph per article; build with named graphs")
            serialize_triples(dataset_quads(store), destination, format_name, prefixes)
        elif format_name in ("turtle", "nt"):
            serialize_triples(union_triples(store, named=self.named_graphs), destination, format_name, prefixes)
        else:
            data = self.graph().serialize(format=format_name, encoding="utf-8")
            if hasattr(destination, "write"):
                destination.write(data)  # type: ignore[union-attr]
            else:
                Path(destination).write_bytes(data)  # type: ignore[arg-type]

    # Triples --------------------------------------------------------------------
    def facts(self, extraction: Extraction) -> ArticleFacts:
        """The triples of one article as N-Triples, and the spellings its labels need."""
        names = tuple(
            (ident, entity.label, tuple(sorted(entity.aliases))) for ident, entity in extraction.entities.items()
        )
        posts = tuple(
            (str(self.post_iri(relation.object, relation.post or "")), relation.object, relation.post or "")
            for relation in extraction.relations
            if relation.predicate == "holdsPost"
        )
        lines = "".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in self._article_triples(extraction))
        return ArticleFacts(
            key=extraction.article.key, source=extraction.document.path, ntriples=lines, names=names, posts=posts
        )

    def _article_triples(self, extraction: Extraction) -> Iterable[tuple]:
        """Every triple of one article except the labels of its entities and posts."""
        article, document = extraction.article, extraction.document
        art = self.article_iri(article.key)
        yield art, RDF.type, KG.Article
        yield art, KG.headline, Literal(clean_literal(article.headline or document.path), lang="zh")
        yield art, KG.sourceFile, Literal(clean_literal(document.path))
        yield art, KG.articleIndex, Literal(article.index)
        for author in article.authors:
            yield art, KG.author, Literal(clean_literal(author))
        for caption in article.captions:
            yield art, KG.caption, Literal(clean_literal(caption), lang="zh")

        used_sentences: set[int] = set()

        def sentence_iri(index: int) -> URIRef:
            used_sentences.add(index)
            return self.base[f"article/{article.key}/s{index}"]

        def evidence(subject: URIRef, predicate: URIRef, obj: URIRef, relation_evidence) -> Iterable[tuple]:
            ev = relation_evidence
            span = document.source_span(ev.start, ev.end)
            digest = hashlib.sha1(f"{subject}|{predicate}|{obj}|{article.key}|{span.start}|{span.end}|{ev.rule}".encode()).hexdigest()[:20]
            node = self.base[f"evidence/{digest}"]
            yield node, RDF.type, KG.Evidence
            yield node, RDF.subject, subject
            yield node, RDF.predicate, predicate
            yield node, RDF.object, obj
            yield node, KG.article, art
            yield node, KG.sentence, sentence_iri(ev.sentence)
            yield node, KG.startOffset, Literal(span.start)
            yield node, KG.endOffset, Literal(span.end)
            yield node, KG.rule, Literal(ev.rule)
            yield node, KG.confidence, decimal_literal(Decimal(str(ev.confidence)))

        for ident, entity in extraction.entities.items():
            iri = self.entity_iri(ident)
            yield iri, RDF.type, KG[entity.type]
            yield iri, KG.mentionedIn, art
            if entity.type == "Place" and entity.place_level:
                yield iri, KG.placeLevel, Literal(entity.place_level)

        for relation in extraction.relations:
            yield from self._relation_triples(relation, evidence)

        metric_iris: list[URIRef] = []
        for metric in extraction.metrics:
            iri = self.base[f"metric/{metric.key}"]
            metric_iris.append(iri)
            subject = self.entity_iri(metric.subject)
            yield iri, RDF.type, KG.Metric
            yield iri, QUDT.numericValue, decimal_literal(metric.value)
            yield iri, QUDT.unit, UNITS[metric.unit]
            yield iri, KG.indicator, Literal(metric.indicator, lang="zh")
            yield iri, KG.surfaceText, Literal(clean_literal(metric.surface))
            label = f"{metric.indicator} {format_quantity(metric.value, metric.unit)}"
            if metric.year:
                label += f" ({metric.year})"
                yield iri, KG.year, Literal(str(metric.year), datatype=XSD.gYear)
            yield iri, RDFS.label, Literal(label, lang="zh")
            if metric.qualifier:
                yield iri, KG.qualifier, QUALIFIER_TERMS[metric.qualifier]
            if metric.target:
                yield iri, KG.isTarget, Literal(True)
            if metric.growth_of is not None:
                yield iri, KG.growthOf, metric_iris[metric.growth_of]
            yield subject, KG.achieves, iri
            yield from evidence(subject, KG.achieves, iri, metric.evidence)

        for index in sorted(used_sentences):
            sentence = article.sentences[index]
            node = self.base[f"article/{article.key}/s{index}"]
            span = document.source_span(sentence.start, sentence.end)
            yield node, RDF.type, KG.Sentence
            yield node, KG.text, Literal(clean_literal(sentence.text), lang="zh")
            yield node, KG.inArticle, art
            yield node, KG.startOffset, Literal(span.start)
            yield node, KG.endOffset, Literal(span.end)

    def _relation_triples(self, relation: Relation, evidence) -> Iterable[tuple]:
        subject = self.entity_iri(relation.subject)
        obj = self.entity_iri(relation.object)
        if relation.predicate == "holdsPost":
            title = relation.post or ""
            post = self.post_iri(relation.object, title)
            yield post, RDF.type, KG.Post
            yield post, KG.postTitle, Literal(title, lang="zh")
            yield post, KG.postIn, obj
            yield subject, KG.holdsPost, post
            yield from evidence(subject, KG.holdsPost, post, relation.evidence)
            return
        predicate = PREDICATES[relation.predicate]
        yield subject, predicate, obj
        if relation.predicate == "issues":
            yield obj, KG.issuedBy, subject
        yield from evidence(subject, predicate, obj, relation.evidence)


def prefix_map(base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """The prefixes of :func:`bind_prefixes` as a dict, for pyoxigraph's serialisers."""
    return {
        "kg": KG_NS,
        "kgr": base_iri,
        "qudt": str(QUDT),
        "unit": str(UNIT),
        "org": str(ORG),
        "prov": str(PROV),
        "schema": str(SCHEMA),
        "skos": str(SKOS),
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "xsd": str(XSD),
    }
