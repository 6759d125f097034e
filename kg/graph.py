"""Extractions → RDF: entities, relations, metrics and their provenance as an rdflib graph.

Identity is decided once for the whole corpus: every entity id (type and key from
``kg.resolve``) gets one deterministic IRI, one ``rdfs:label@zh`` (the spelling used most) and
its other spellings as ``skos:altLabel``. Each article's triples can go to a named graph of
their own (TriG) or all into one graph (Turtle).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from .errors import UsageError
from .model import Extraction, Relation
from .ontology import DEFAULT_BASE_IRI, KG, KG_NS, ORG, PROV, QUDT, SCHEMA, UNIT, UNITS
from .quantity import format_quantity
from .resolve import iri_slug

__all__ = ["GraphBuilder", "bind_prefixes", "QUALIFIER_TERMS", "PREDICATES", "clean_literal", "decimal_literal"]

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


class GraphBuilder:
    """Collects extractions from many documents and writes them as one graph or a dataset."""

    def __init__(self, *, base_iri: str = DEFAULT_BASE_IRI) -> None:
        self.base = Namespace(_check_base(base_iri))
        self.extractions: list[Extraction] = []

    def add(self, extractions: Iterable[Extraction]) -> None:
        """Queue the extractions of one or more documents."""
        self.extractions.extend(extractions)

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

    def _labels(self) -> dict[str, tuple[str, set[str]]]:
        """Corpus-wide label and aliases per entity id."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        aliases: dict[str, set[str]] = defaultdict(set)
        for extraction in self.extractions:
            for ident, entity in extraction.entities.items():
                counts[ident][entity.label] += 1
                aliases[ident] |= entity.aliases | {entity.label}
        chosen = {}
        for ident, counter in counts.items():
            label = max(counter, key=lambda s: (counter[s], len(s), s))
            chosen[ident] = (label, aliases[ident] - {label})
        return chosen

    # Output -------------------------------------------------------------------
    def graph(self) -> Graph:
        """Everything in one rdflib Graph (for Turtle, N-Triples, JSON-LD)."""
        graph = Graph()
        bind_prefixes(graph, str(self.base))
        for _, triples in self._triples():
            for triple in triples:
                graph.add(triple)
        return graph

    def dataset(self) -> Dataset:
        """One named graph per article (for TriG and N-Quads)."""
        dataset = Dataset()
        bind_prefixes(dataset, str(self.base))
        for article_iri, triples in self._triples():
            named = dataset.graph(article_iri)
            for triple in triples:
                named.add(triple)
        return dataset

    def _triples(self) -> Iterable[tuple[URIRef, list[tuple]]]:
        labels = self._labels()
        for extraction in self.extractions:
            yield self.article_iri(extraction.article.key), list(self._article_triples(extraction, labels))

    def _article_triples(self, extraction: Extraction, labels: dict[str, tuple[str, set[str]]]) -> Iterable[tuple]:
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
            label, aliases = labels[ident]
            yield iri, RDF.type, KG[entity.type]
            yield iri, RDFS.label, Literal(clean_literal(label), lang="zh")
            for alias in sorted(aliases):
                yield iri, SKOS.altLabel, Literal(clean_literal(alias), lang="zh")
            yield iri, KG.mentionedIn, art
            if entity.type == "Place" and entity.place_level:
                yield iri, KG.placeLevel, Literal(entity.place_level)

        for relation in extraction.relations:
            yield from self._relation_triples(relation, labels, evidence)

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

    def _relation_triples(self, relation: Relation, labels, evidence) -> Iterable[tuple]:
        subject = self.entity_iri(relation.subject)
        obj = self.entity_iri(relation.object)
        if relation.predicate == "holdsPost":
            org_label = labels.get(relation.object, ("", set()))[0]
            title = relation.post or ""
            post = self.base[f"post/{iri_slug(relation.object.partition(':')[2], title)}"]
            yield post, RDF.type, KG.Post
            yield post, KG.postTitle, Literal(title, lang="zh")
            yield post, KG.postIn, obj
            yield post, RDFS.label, Literal(clean_literal(f"{org_label}{title}"), lang="zh")
            yield subject, KG.holdsPost, post
            yield from evidence(subject, KG.holdsPost, post, relation.evidence)
            return
        predicate = PREDICATES[relation.predicate]
        yield subject, predicate, obj
        if relation.predicate == "issues":
            yield obj, KG.issuedBy, subject
        yield from evidence(subject, predicate, obj, relation.evidence)
