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

import functools
import hashlib
import io
import itertools
import operator
import os
import re
import shutil
import tempfile
import weakref
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, ClassVar

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from . import schema
from .errors import KGError, OutputError, UsageError, write_failure
from .model import Extraction
from .ontology import DEFAULT_BASE_IRI, KG, KG_NS, QUDT, UNITS, instance_prefixes
from .quantity import format_quantity
from .rdfio import (
    _ESCAPES,
    dataset_quads,
    dump_default_graph,
    fill_dataset,
    fill_graph,
    in_graph,
    nt_term,
    prefix_map,
    read_triple_count,
    union_triples,
    write_rdf,
)
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
    "decimal_lexical",
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
#: The relations an extraction states between entities, by name (from :mod:`kg.schema`).
PREDICATES: dict[str, URIRef] = {name: URIRef(KG_NS + name) for name in schema.relation_names(network=True)}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def decimal_literal(value: Decimal) -> Literal:
    """An xsd:decimal in canonical form (110000000000.0), so every format round-trips exactly."""
    return Literal(decimal_lexical(value), datatype=XSD.decimal)


def decimal_lexical(value: Decimal) -> str:
    """The canonical lexical form :func:`decimal_literal` uses: no exponent, at least one decimal."""
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


class _N:
    """Vocabulary terms in N-Triples form, encoded once."""

    type = nt_term(RDF.type)
    subject = nt_term(RDF.subject)
    predicate = nt_term(RDF.predicate)
    object = nt_term(RDF.object)
    label = nt_term(RDFS.label)
    altLabel = nt_term(SKOS.altLabel)
    Article = nt_term(KG.Article)
    Evidence = nt_term(KG.Evidence)
    Sentence = nt_term(KG.Sentence)
    Metric = nt_term(KG.Metric)
    Post = nt_term(KG.Post)
    article = nt_term(KG.article)
    sentence = nt_term(KG.sentence)
    startOffset = nt_term(KG.startOffset)
    endOffset = nt_term(KG.endOffset)
    rule = nt_term(KG.rule)
    confidence = nt_term(KG.confidence)
    text = nt_term(KG.text)
    inArticle = nt_term(KG.inArticle)
    headline = nt_term(KG.headline)
    sourceFile = nt_term(KG.sourceFile)
    articleIndex = nt_term(KG.articleIndex)
    author = nt_term(KG.author)
    caption = nt_term(KG.caption)
    mentionedIn = nt_term(KG.mentionedIn)
    placeLevel = nt_term(KG.placeLevel)
    postTitle = nt_term(KG.postTitle)
    postIn = nt_term(KG.postIn)
    holdsPost = nt_term(KG.holdsPost)
    issuedBy = nt_term(KG.issuedBy)
    achieves = nt_term(KG.achieves)
    numericValue = nt_term(QUDT.numericValue)
    unit = nt_term(QUDT.unit)
    indicator = nt_term(KG.indicator)
    surfaceText = nt_term(KG.surfaceText)
    year = nt_term(KG.year)
    qualifier = nt_term(KG.qualifier)
    isTarget = nt_term(KG.isTarget)
    growthOf = nt_term(KG.growthOf)
    predicates: ClassVar[dict[str, str]] = {name: nt_term(term) for name, term in PREDICATES.items()}
    qualifiers: ClassVar[dict[str, str]] = {name: nt_term(term) for name, term in QUALIFIER_TERMS.items()}

    @staticmethod
    @functools.cache
    def of_class(type_name: str) -> str:
        """The class of an entity type (``Park`` → ``<…#Park>``)."""
        return nt_term(KG[type_name])

    @staticmethod
    @functools.cache
    def unit_of(unit: str) -> str:
        """The QUDT unit of one of kg's unit names."""
        return nt_term(UNITS[unit])


_HOLDS_POST = str(KG.holdsPost)
_ACHIEVES = str(KG.achieves)
_XSD_GYEAR = str(XSD.gYear)
_XSD_DECIMAL = str(XSD.decimal)
_XSD_BOOLEAN = str(XSD.boolean)
_XSD_INTEGER = str(XSD.integer)


def _turtle_header(base_iri: str) -> bytes:
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefix_map(base_iri).items()).encode()


def _text(value: str) -> str:
    """A string's lexical form inside N-Triples quotes (as rdflib writes ``clean_literal(value)``)."""
    return clean_literal(value).translate(_ESCAPES)


def _integer_nt(value: int) -> str:
    return f'"{value}"^^<{_XSD_INTEGER}>'


@functools.lru_cache(maxsize=4096)
def _plain_nt(text: str) -> str:
    return nt_term(Literal(text))


@functools.lru_cache(maxsize=4096)
def _confidence_nt(value: float) -> str:
    return f'"{_decimal_ttl(value)}"^^<{_XSD_DECIMAL}>'


@functools.lru_cache(maxsize=4096)
def _decimal_ttl(value: float) -> str:
    """A decimal as a Turtle number: ``0.9`` is ``"0.9"^^xsd:decimal``, lexical form kept."""
    return decimal_lexical(Decimal(str(value)))


def clean_literal(text: str) -> str:
    """Text safe for any RDF serialisation: control characters and lone surrogates → space."""
    return _CONTROL.sub(" ", text)


def bind_prefixes(graph: Graph, base_iri: str = DEFAULT_BASE_IRI) -> None:
    """Bind the prefixes kg writes with (:func:`kg.rdfio.prefix_map`), so Turtle stays readable."""
    for prefix, namespace in prefix_map(base_iri).items():
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

    ``article_nt`` holds the triples about the article itself, its sentences and the evidence
    nodes (their IRIs contain the article key, so no other article can state them) and
    ``entity_nt`` the triples about entities, posts and metrics, which other articles may state
    too; both are N-Triples text. Labels are chosen corpus-wide, so the article only records
    the spellings it used: ``names`` is one ``(entity id, label, aliases)`` per entity it names
    and ``posts`` one ``(post IRI, organisation entity id, title)`` per post held.
    """

    key: str
    source: str
    article_nt: str
    entity_nt: str
    names: tuple[tuple[str, str, tuple[str, ...]], ...]
    posts: tuple[tuple[str, str, str], ...]
    article_ttl: bytes = b""  # the article's own triples as Turtle (kg's prefixes, not declared) instead
    article_triples: int = 0  # how many triples article_nt or article_ttl holds
    dropped: tuple[tuple[str, str], ...] = ()  # (fact, reason) of each fact left out (see fact_problem)

    @property
    def triples(self) -> int:
        """How many triples the article states, labels not counted."""
        return self.article_triples + self.entity_nt.count("\n")


def source_file_nt(article_iri: str, path: str) -> str:
    """The N-Triples line naming one more file an article was read from (a reprint)."""
    return f'<{article_iri}> {_N.sourceFile} "{_text(path)}" .\n'


def choose_label(spellings: Counter[str]) -> str:
    """The canonical label among the spellings of an entity: most used, then longest, then last."""
    return max(spellings, key=lambda s: (spellings[s], len(s), s))


class LabelIndex:
    """Label counts of every entity and the posts held, kept as articles come and go."""

    def __init__(self) -> None:
        self.spellings: dict[str, Counter[str]] = defaultdict(Counter)
        self.aliases: dict[str, Counter[str]] = defaultdict(Counter)
        self.posts: Counter[tuple[str, str, str]] = Counter()

    def add(
        self, names: Iterable[tuple[str, str, Iterable[str]]], posts: Iterable[tuple[str, str, str]], sign: int = 1
    ) -> None:
        """Count (``sign=1``) or uncount (``sign=-1``) the spellings and posts of one article."""
        for ident, label, aliases in names:
            self.spellings[ident][label] += sign
            for alias in (label, *aliases):
                self.aliases[ident][alias] += sign
            if sign < 0:
                self.spellings[ident] = +self.spellings[ident]
                self.aliases[ident] = +self.aliases[ident]
                if not self.spellings[ident]:
                    del self.spellings[ident], self.aliases[ident]
        for post in posts:
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


class _Reader(io.RawIOBase):
    """Reads ``head`` then a file from its start, with a position of its own (appends may go on)."""

    def __init__(self, file: IO[bytes], head: bytes = b"") -> None:
        self._file = file
        self._head = head
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # a writable buffer (bytearray, memoryview)
        if self._head:
            data, self._head = self._head[: len(buffer)], self._head[len(buffer) :]
            buffer[: len(data)] = data
            return len(data)
        self._file.seek(self._position)
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


class _Blocks:
    """Triples grouped by subject, kept as N-Triples or as Turtle (kg's prefixes, not declared).

    Turtle is what a Turtle output appends as it is; writing it here, from the same terms,
    spares a parse and a re-serialisation of every article.
    """

    __slots__ = ("decimal", "integer", "parts", "triples", "turtle")

    def __init__(self, turtle: bool) -> None:
        self.turtle = turtle
        self.parts: list[str] = []
        self.triples = 0
        # Numbers: "7"^^xsd:integer in N-Triples, plain 7 (the same literal) in Turtle.
        self.integer = str if turtle else _integer_nt
        self.decimal = _decimal_ttl if turtle else _confidence_nt

    def add(self, subject: str, *pairs: tuple[str, str]) -> None:
        """``subject`` with each ``(predicate, object)``, all already in N-Triples form."""
        self.triples += len(pairs)
        if self.turtle:
            short = _SHORT.get
            verb = _SHORT_VERB.get
            body = " ;\n    ".join(f"{verb(p, p)} {short(o, o)}" for p, o in pairs)
            self.parts.append(f"{subject} {body} .\n")
        else:
            self.parts.append("".join(f"{subject} {p} {o} .\n" for p, o in pairs))

    def text(self) -> str:
        return "".join(self.parts)


#: The graph of a :attr:`GraphBuilder.queryable` store that holds the articles' own triples.
ARTICLE_TRIPLES = ox.NamedNode("urn:x-kg:build:article-triples")
#: Bytes of article triples and of entity triples gathered before they go to the store as one load.
_ARTICLE_CHUNK = 4 << 20
_ENTITY_CHUNK = 1 << 20
#: Chunks handed to the loading thread and not yet loaded, beyond which adding waits.
_PENDING_LOADS = 4


class GraphBuilder:
    """Collects extractions from many documents and writes them as one graph or a dataset.

    Each article is turned into triples as soon as it is added (:meth:`facts`, which is what
    the worker processes of a parallel build run); the Document and its text are not kept.
    Triples about entities, posts and metrics, which several articles can state, go to an
    in-memory pyoxigraph store (one copy each); triples about an article, its sentences and
    its evidence, which no other article states, are appended to a temporary file. Label
    triples are made from the corpus-wide counts when output is asked for. With
    ``named_graphs=True`` every article keeps a named graph of its own (needed by
    :meth:`dataset`, TriG and N-Quads).
    """

    def __init__(
        self,
        *,
        base_iri: str = DEFAULT_BASE_IRI,
        named_graphs: bool = True,
        turtle: bool = False,
        queryable: bool = False,
    ) -> None:
        self.base = Namespace(_check_base(base_iri))
        self.named_graphs = named_graphs
        # A union graph bound for Turtle keeps the articles' own triples as Turtle, ready to append.
        self._turtle = turtle and not named_graphs
        # The articles' own triples also go to the store as they come (a graph of their own, so
        # the written file is unchanged): the page and the SHACL check then query the whole graph
        # without parsing the file again, and the loading overlaps the workers' extraction.
        self.queryable = queryable and not named_graphs
        self._article_chunks: list[bytes] = []
        self._article_size = 0
        self.labels = LabelIndex()
        self.articles = 0
        self._store = ox.Store()
        self._spool: IO[bytes] | None = None
        self._spooled_keys: dict[str, str] = {}  # the articles whose own triples are in the spool → their first file
        self._more_sources: set[tuple[str, str]] = set()  # (article, file) of reprints: each kg:sourceFile once
        self._spooled = 0  # triples in the spool
        self._placements: list[tuple[str, tuple[str, ...], tuple[tuple[str, str, str], ...]]] = []
        self._label_nt: list[tuple[Any, str]] | None = None  # (graph, label triples) as loaded
        self._entity_chunks: list[str] = []  # entity triples waiting to be loaded in one go
        self._entity_size = 0
        self._iris: dict[str, str] = {}
        # Chunks are loaded into the store by one thread of their own, in the order they come:
        # Oxigraph parses and indexes without the GIL, so a one-process build's loading runs on
        # the core its extraction leaves idle. Everything that reads the store waits for them.
        self._loader: ThreadPoolExecutor | None = None
        self._loads: deque[Future[None]] = deque()

    def add(self, extractions: Iterable[Extraction]) -> None:
        """Turn the extractions of one or more documents into triples and keep them."""
        for extraction in extractions:
            self.add_facts(self.facts(extraction, turtle=self._turtle))

    @property
    def writes_turtle(self) -> bool:
        """Whether articles' own triples are kept as Turtle (for a Turtle union output), so
        workers must make their facts with ``turtle=True``."""
        return self._turtle

    def put(self, file_facts: Any) -> None:
        """Keep every article of one file (a :class:`kg.builder.Sink`, like the store)."""
        for facts in file_facts.articles:
            self.add_facts(facts)

    def commit(self) -> None:
        """Nothing to make durable: the graph lives in memory and the spool until written."""

    def add_facts(self, facts: ArticleFacts) -> None:
        """Keep the triples of one article made by :meth:`facts` (here or in a worker), with
        ``turtle`` as this builder writes (Turtle for a Turtle union output, else N-Triples)."""
        if bool(facts.article_ttl) != self._turtle and (facts.article_ttl or facts.article_nt):
            raise UsageError(
                f"article {facts.key} was made {'with' if facts.article_ttl else 'without'} turtle=True for a builder "
                f"that writes {'Turtle' if self._turtle else 'N-Triples'}; make facts with turtle={self._turtle}"
            )
        self._drop_labels()
        article = str(self.article_iri(facts.key))
        graph = ox.NamedNode(article) if self.named_graphs else ox.DefaultGraph()
        load = self._load
        if facts.key in self._spooled_keys:
            # The same article again (a reprint: one text in two files) is one article: the first
            # file's headline, sentences and offsets stand, and this file is one more source
            # (the same text twice in one file names the file once).
            if facts.source != self._spooled_keys[facts.key] and (facts.key, facts.source) not in self._more_sources:
                self._more_sources.add((facts.key, facts.source))
                load(source_file_nt(article, facts.source), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        elif facts.article_nt or facts.article_ttl:
            if self._spool is None:
                self._spool = tempfile.TemporaryFile(prefix="kg-build-", suffix=".nq")  # noqa: SIM115 (closed by close())
                weakref.finalize(self, self._spool.close)  # closed with the builder, without a ResourceWarning
            if self._turtle:
                data = facts.article_ttl
            else:
                text = facts.article_nt
                data = (in_graph(text, article) if self.named_graphs else text).encode()
            self._spooled_keys[facts.key] = facts.source
            self._spool.seek(0, os.SEEK_END)  # reading the output may have moved the position
            try:
                self._spool.write(data)
            except OSError as error:
                raise OutputError(
                    f"{tempfile.gettempdir()} (the build's spool of article triples)",
                    f"cannot be written ({write_failure(error)}, or set TMPDIR to a folder with room)",
                ) from None
            self._spooled += facts.article_triples
            if self.queryable:
                self._article_chunks.append(data)
                self._article_size += len(data)
                if self._article_size > _ARTICLE_CHUNK:
                    self._flush_articles()
        entity_nt = in_graph(facts.entity_nt, article) if self.named_graphs else facts.entity_nt
        self._entity_chunks.append(entity_nt)
        self._entity_size += len(entity_nt)
        if self._entity_size > _ENTITY_CHUNK:
            self._flush_entities()
        self.labels.add(facts.names, facts.posts)
        if self.named_graphs:
            self._placements.append((article, tuple(ident for ident, _, _ in facts.names), facts.posts))
        self.articles += 1

    def close(self) -> None:
        """Let go of the temporary file (it is removed on exit anyway) and of the loading thread,
        dropping any chunk not loaded yet: the builder is not used after this."""
        if self._loader is not None:
            self._loader.shutdown(wait=True, cancel_futures=True)
            self._loader = None
            self._loads.clear()
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        self._spooled_keys.clear()
        self._more_sources.clear()

    def settle(self) -> ox.Store:
        """The store, final: every triple loaded and labelled, and the label counts (a big
        build's memory) let go, for a build that adds nothing more. The spool stays, to write from."""
        store = self.store()
        self.labels = LabelIndex()
        self._placements.clear()
        self._iris.clear()
        self._label_nt = []  # nothing to take back: no article comes after
        return store

    # Identity -----------------------------------------------------------------
    def entity_iri(self, ident: str) -> URIRef:
        """The IRI of an entity id such as ``Park:南昌高新区`` (type folded to lower case)."""
        return URIRef(self._entity_nt(ident)[1:-1])

    def _entity_nt(self, ident: str) -> str:
        """:meth:`entity_iri` in N-Triples form (``<…>``), remembered."""
        iri = self._iris.get(ident)
        if iri is None:
            if len(self._iris) > 100_000:
                self._iris.clear()
            iri = self._iris[ident] = f"<{self._entity_iri(ident)}>"
        return iri

    def _entity_iri(self, ident: str) -> URIRef:
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

    def label_nt(
        self, idents: Iterable[str], posts: Iterable[tuple[str, str, str]], labels: LabelIndex | None = None
    ) -> str:
        """The ``rdfs:label`` / ``skos:altLabel`` triples of entities and posts, as N-Triples text.

        An entity gets the label chosen from the spellings counted in ``labels`` (default: this
        builder's) and its other spellings as alternative labels; a post is labelled with its
        organisation's label followed by its title.
        """
        labels = labels or self.labels
        lines: list[str] = []
        for ident in idents:
            chosen = labels.chosen(ident)
            if chosen is None:
                continue
            label, aliases = chosen
            iri = self._entity_nt(ident)
            lines.append(f'{iri} {_N.label} "{_text(label)}"@zh .\n')
            lines.extend(f'{iri} {_N.altLabel} "{_text(alias)}"@zh .\n' for alias in sorted(aliases))
        for post, org_ident, title in posts:
            chosen = labels.chosen(org_ident)
            org_label = chosen[0] if chosen else ""
            lines.append(f'<{post}> {_N.label} "{_text(org_label + title)}"@zh .\n')
        return "".join(lines)

    # Output -------------------------------------------------------------------
    def _load(self, data: str | bytes, *, format: ox.RdfFormat, to_graph: Any = None) -> None:
        """Load ``data`` into the store on the loading thread, after every chunk before it; waits
        for the oldest when a few are pending (their bytes wait in memory)."""
        if self._loader is None:
            self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-load")
        graph = ox.DefaultGraph() if to_graph is None else to_graph
        self._loads.append(self._loader.submit(self._store.load, data, format=format, to_graph=graph, lenient=True))
        while len(self._loads) > _PENDING_LOADS:
            self._loads[0].result()  # a failed load raises here, and again at every later wait
            self._loads.popleft()

    def _loaded(self) -> ox.Store:
        """The store once every chunk handed to :meth:`_load` is in (a failed load raises here)."""
        while self._loads:
            self._loads[0].result()  # off the queue only once loaded (an interrupted wait leaves it)
            self._loads.popleft()
        return self._store

    def _drop_labels(self) -> None:
        if self._label_nt is not None:  # output was asked for before: the labels are stale now
            self._loaded()
            for graph, text in self._label_nt:
                for triple in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
                    self._store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
            self._label_nt = None

    def _flush_entities(self) -> None:
        if self._entity_chunks:
            text = "".join(self._entity_chunks)
            self._entity_chunks.clear()
            self._entity_size = 0
            self._load(text, format=self._spool_format)

    def _flush_articles(self) -> None:
        if self._article_chunks:
            data = self._header + b"".join(self._article_chunks)
            self._article_chunks.clear()
            self._article_size = 0
            self._load(data, format=self._spool_format, to_graph=ARTICLE_TRIPLES)

    def store(self) -> ox.Store:
        """The in-memory store of entity, post and metric triples, labels included (and, when
        :attr:`queryable`, every article's own triples in the graph :data:`ARTICLE_TRIPLES`)."""
        self._flush_entities()
        self._flush_articles()
        self._loaded()
        if self._label_nt is None:
            labelled: list[tuple[Any, str]] = []
            if self.named_graphs:
                for article, idents, posts in self._placements:
                    labelled.append((ox.NamedNode(article), self.label_nt(idents, posts)))
            else:
                labelled.append(
                    (ox.DefaultGraph(), self.label_nt(list(self.labels.spellings), list(self.labels.posts)))
                )
            for graph, text in labelled:
                self._store.load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True)
            self._label_nt = labelled
        return self._store

    def _spooled_quads(self) -> Iterator[Any]:
        if self._spool is None or not self._spooled:
            return iter(())
        self._spool.flush()
        reader = io.BufferedReader(_Reader(self._spool, self._header), buffer_size=1 << 20)
        return iter(ox.parse(reader, format=self._spool_format, lenient=True))

    @property
    def _header(self) -> bytes:
        return _turtle_header(str(self.base)) if self._turtle else b""

    @property
    def _spool_format(self) -> ox.RdfFormat:
        if self._turtle:
            return ox.RdfFormat.TURTLE
        return ox.RdfFormat.N_QUADS if self.named_graphs else ox.RdfFormat.N_TRIPLES

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the union graph once, as pyoxigraph triples."""
        store = self.store()
        if self.queryable:  # the articles' own triples are in the store (the spool may be gone)
            return itertools.chain(union_triples(store, named=False), union_triples(store, graph=ARTICLE_TRIPLES))
        spooled = self._spooled_quads()
        if self.named_graphs:
            spooled = map(operator.attrgetter("triple"), spooled)
        return itertools.chain(union_triples(store, named=self.named_graphs), spooled)

    def quads(self) -> Iterator[ox.Quad]:
        """Every triple in its article's named graph, as pyoxigraph quads."""
        if not self.named_graphs:
            raise UsageError(
                "this graph was built without named graphs; build with named_graphs=True for TriG or N-Quads"
            )
        return itertools.chain(dataset_quads(self.store()), self._spooled_quads())

    def triple_count(self) -> int:
        """The number of distinct triples of the union graph, labels included."""
        store = self.store()
        if self.queryable:  # the articles' own triples are in the store too, in a graph of their own
            return len(store)
        shared = read_triple_count(store, union=True) if self.named_graphs else len(store)
        return shared + self._spooled

    def graph(self) -> Graph:
        """Everything in one rdflib Graph (for Turtle, N-Triples, JSON-LD)."""
        graph = Graph()
        bind_prefixes(graph, str(self.base))
        return fill_graph(graph, self.triples())

    def dataset(self) -> Dataset:
        """One named graph per article (for TriG and N-Quads)."""
        dataset = Dataset()
        bind_prefixes(dataset, str(self.base))
        return fill_dataset(dataset, self.quads())

    def write(self, destination: str | os.PathLike[str] | IO[bytes], format_name: str = "turtle") -> None:
        """Serialise with pyoxigraph (fast): turtle, nt, trig or nquads; json-ld goes through rdflib."""
        prefixes = prefix_map(str(self.base))
        if (format_name == "turtle" and self._turtle) or (
            format_name == "nt" and not self._turtle and not self.named_graphs
        ):
            self._append(destination, format_name, prefixes)
        else:
            write_rdf(self, destination, format_name, prefixes)

    def _append(
        self, destination: str | os.PathLike[str] | IO[bytes], format_name: str, prefixes: dict[str, str]
    ) -> None:
        """Turtle or N-Triples as the spool holds them: the prefixes (Turtle), the entity
        triples dumped from the store, then the spooled article triples as they are."""
        body = dump_default_graph(self.store(), format_name, prefixes)
        position = 0
        while body.startswith(b"@prefix ", position):
            position = body.index(b"\n", position) + 1
        stream: IO[bytes] = open(destination, "wb") if isinstance(destination, (str, os.PathLike)) else destination  # noqa: SIM115 - closed below unless the caller's
        try:
            stream.write(self._header)
            stream.write(memoryview(body)[position:])
            if self._spool is not None:
                self._spool.flush()
                shutil.copyfileobj(io.BufferedReader(_Reader(self._spool), buffer_size=1 << 20), stream)
        finally:
            if stream is not destination:
                stream.close()

    # Triples --------------------------------------------------------------------
    def facts(self, extraction: Extraction, *, turtle: bool = False) -> ArticleFacts:
        """The triples of one article as N-Triples, and the spellings its labels need.

        Triples about the article, its sentences and its evidence go to ``article_nt``; those
        about entities, posts and metrics to ``entity_nt``. With ``turtle`` the article's own
        triples come as Turtle in ``article_ttl`` instead (prefixes used, not declared), so that
        a Turtle file can be written by appending them.
        """
        names = tuple(
            (ident, entity.label, tuple(sorted(entity.aliases))) for ident, entity in extraction.entities.items()
        )
        posts = tuple(
            (str(self.post_iri(relation.object, relation.post or "")), relation.object, relation.post or "")
            for relation in extraction.relations
            if relation.predicate == "holdsPost"
        )
        own = _Blocks(turtle)
        shared: list[str] = []
        dropped: list[tuple[str, str]] = []
        self._write_article(extraction, own, shared, dropped)
        return ArticleFacts(
            key=extraction.article.key,
            source=extraction.document.path,
            article_nt="" if turtle else own.text(),
            entity_nt="".join(shared),
            names=names,
            posts=posts,
            article_ttl=own.text().encode() if turtle else b"",
            article_triples=own.triples,
            dropped=tuple(dropped),
        )

    def _write_article(
        self, extraction: Extraction, own: _Blocks, shared: list[str], dropped: list[tuple[str, str]]
    ) -> None:
        """Every triple of one article except the labels; a fact whose triples would break the
        shapes (see :func:`fact_problem`) is left out and listed in ``dropped`` with the reason.

        Triples about the article's own nodes (its IRI, its sentences, its evidence) go to
        ``own`` (N-Triples or Turtle), the rest to ``shared`` as N-Triples lines. Terms are
        written as text directly, exactly as rdflib would write them (``_N`` holds the
        vocabulary, encoded once), which is several times faster than making rdflib terms.
        """
        article, document = extraction.article, extraction.document
        art_iri = str(self.article_iri(article.key))
        art = f"<{art_iri}>"
        integer = own.integer
        own.add(
            art,
            (_N.type, _N.Article),
            (_N.headline, f'"{_text(article.headline or document.path)}"@zh'),
            (_N.sourceFile, f'"{_text(document.path)}"'),
            (_N.articleIndex, integer(article.index)),
            *((_N.author, f'"{_text(author)}"') for author in article.authors),
            *((_N.caption, f'"{_text(caption)}"@zh') for caption in article.captions),
        )

        used_sentences: set[int] = set()
        evidence_base = f"{self.base}evidence/"

        def evidence(subject: str, predicate: str, obj: str, ev: Any) -> None:
            """The reified evidence of ``subject predicate obj`` (IRIs without brackets)."""
            span = document.source_span(ev.start, ev.end)
            digest = hashlib.sha1(
                f"{subject}|{predicate}|{obj}|{article.key}|{span.start}|{span.end}|{ev.rule}".encode()
            ).hexdigest()[:20]
            used_sentences.add(ev.sentence)
            own.add(
                f"<{evidence_base}{digest}>",
                (_N.type, _N.Evidence),
                (_N.subject, f"<{subject}>"),
                (_N.predicate, f"<{predicate}>"),
                (_N.object, f"<{obj}>"),
                (_N.article, art),
                (_N.sentence, f"<{art_iri}/s{ev.sentence}>"),
                (_N.startOffset, integer(span.start)),
                (_N.endOffset, integer(span.end)),
                (_N.rule, _plain_nt(ev.rule)),
                (_N.confidence, own.decimal(ev.confidence)),
            )

        for ident, entity in extraction.entities.items():
            iri = self._entity_nt(ident)
            shared.append(f"{iri} {_N.type} {_N.of_class(entity.type)} .\n{iri} {_N.mentionedIn} {art} .\n")
            if entity.type == "Place" and entity.place_level:
                shared.append(f"{iri} {_N.placeLevel} {_plain_nt(entity.place_level)} .\n")

        for relation in extraction.relations:
            problem = fact_problem(extraction, relation.evidence)
            if problem is not None:
                dropped.append((f"{relation.subject} {relation.predicate} {relation.object}", problem))
                continue
            subject = self._entity_nt(relation.subject)
            obj = self._entity_nt(relation.object)
            if relation.predicate == "holdsPost":
                title = relation.post or ""
                post = f"<{self.post_iri(relation.object, title)}>"
                shared.append(
                    f"{post} {_N.type} {_N.Post} .\n"
                    f'{post} {_N.postTitle} "{_text(title)}"@zh .\n'
                    f"{post} {_N.postIn} {obj} .\n"
                    f"{subject} {_N.holdsPost} {post} .\n"
                )
                evidence(subject[1:-1], _HOLDS_POST, post[1:-1], relation.evidence)
                continue
            predicate = _N.predicates.get(relation.predicate) or _relation_term(relation.predicate)
            shared.append(f"{subject} {predicate} {obj} .\n")
            if relation.predicate == "issues":
                shared.append(f"{obj} {_N.issuedBy} {subject} .\n")
            evidence(subject[1:-1], predicate[1:-1], obj[1:-1], relation.evidence)

        metric_iris: list[str | None] = []
        metric_base = f"{self.base}metric/"
        for metric in extraction.metrics:
            problem = fact_problem(extraction, metric.evidence, metric)
            if problem is not None:
                dropped.append((f"{metric.subject} achieves {metric.indicator} {metric.surface}", problem))
                metric_iris.append(None)
                continue
            iri = f"<{metric_base}{metric.key}>"
            metric_iris.append(iri)
            subject = self._entity_nt(metric.subject)
            label = f"{metric.indicator} {format_quantity(metric.value, metric.unit)}"
            lines = [
                f"{iri} {_N.type} {_N.Metric} .\n"
                f'{iri} {_N.numericValue} "{decimal_lexical(metric.value)}"^^<{_XSD_DECIMAL}> .\n'
                f"{iri} {_N.unit} {_N.unit_of(metric.unit)} .\n"
                f'{iri} {_N.indicator} "{_text(metric.indicator)}"@zh .\n'
                f'{iri} {_N.surfaceText} "{_text(metric.surface)}" .\n'
            ]
            if metric.year:
                label += f" ({metric.year})"
                lines.append(f'{iri} {_N.year} "{metric.year}"^^<{_XSD_GYEAR}> .\n')
            lines.append(f'{iri} {_N.label} "{_text(label)}"@zh .\n')
            if metric.qualifier:
                lines.append(f"{iri} {_N.qualifier} {_N.qualifiers[metric.qualifier]} .\n")
            if metric.target:
                lines.append(f'{iri} {_N.isTarget} "true"^^<{_XSD_BOOLEAN}> .\n')
            if metric.growth_of is not None and metric_iris[metric.growth_of] is not None:
                lines.append(f"{iri} {_N.growthOf} {metric_iris[metric.growth_of]} .\n")
            lines.append(f"{subject} {_N.achieves} {iri} .\n")
            shared.append("".join(lines))
            evidence(subject[1:-1], _ACHIEVES, iri[1:-1], metric.evidence)

        for index in sorted(used_sentences):
            sentence = article.sentences[index]
            span = document.source_span(sentence.start, sentence.end)
            own.add(
                f"<{art_iri}/s{index}>",
                (_N.type, _N.Sentence),
                (_N.text, f'"{_text(sentence.text)}"@zh'),
                (_N.inArticle, art),
                (_N.startOffset, integer(span.start)),
                (_N.endOffset, integer(span.end)),
            )


def fact_problem(extraction: Extraction, evidence: Any, metric: Any = None) -> str | None:
    """Why a fact cannot be written as the shapes want it (its evidence outside the text or its
    sentence, offsets in the wrong order, a confidence or a figure out of range), or None.

    The extractors should never give such a fact; if one does, the build leaves it out and says
    so (``kg build`` lists them in OUTDIR/dropped.tsv) rather than write a graph the shapes reject.
    """
    offsets, sentences = extraction.document.offsets, extraction.article.sentences
    if not 0 <= evidence.sentence < len(sentences):
        return f"its evidence names sentence {evidence.sentence}, and the article has {len(sentences)}"
    if not 0 <= evidence.start < len(offsets) or not 0 <= evidence.end < len(offsets):
        return (
            f"its evidence offsets {evidence.start}-{evidence.end} lie outside the text ({len(offsets) - 1} characters)"
        )
    span = extraction.document.source_span(evidence.start, evidence.end)
    if span.start > span.end:
        return f"its evidence would have startOffset {span.start} > endOffset {span.end}"
    if not 0 <= evidence.confidence <= 1:
        return f"its confidence {evidence.confidence} is not between 0 and 1"
    if metric is not None:
        if not metric.value.is_finite():
            return f"its value {metric.value} is not a finite number"
        if metric.unit not in UNITS:
            return f"its unit {metric.unit!r} is not one of kg's units"
    return None


def _relation_term(name: str) -> str:
    """The N-Triples term of a relation registered in :mod:`kg.schema` after this module was loaded."""
    if name not in schema.RELATIONS:
        raise KGError(f"relation {name!r} is not in the schema; register it with kg.schema.register_relation")
    return nt_term(URIRef(KG_NS + name))


def _short_names() -> tuple[dict[str, str], dict[str, str]]:
    """Vocabulary terms in N-Triples form → prefixed names, for objects and for predicates."""
    namespaces = sorted(
        ((iri, name) for name, iri in prefix_map().items() if name not in instance_prefixes()),
        key=lambda pair: -len(pair[0]),
    )
    terms = [value for value in vars(_N).values() if isinstance(value, str)]
    terms += [*_N.predicates.values(), *_N.qualifiers.values()]
    short: dict[str, str] = {}
    for term in terms:
        iri = term[1:-1]
        for namespace, name in namespaces:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", local):
                short[term] = f"{name}:{local}"
                break
    return short, {**short, _N.type: "a"}


_SHORT, _SHORT_VERB = _short_names()
