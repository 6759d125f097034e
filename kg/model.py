"""The data that flows through the pipeline.

``corpus`` turns files into :class:`Document` objects holding :class:`Article` objects;
``extract`` adds :class:`Mention` spans, ``resolve`` groups them into :class:`Entity` objects and
adds :class:`Relation` and :class:`Metric` facts, each carrying :class:`Evidence`; ``graph`` turns
all of it into RDF. Offsets are always character offsets into ``Document.text`` (the decoded,
un-normalised file text), so every fact can be found again in the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

__all__ = [
    "EntityType",
    "Span",
    "Sentence",
    "Article",
    "Document",
    "Mention",
    "Entity",
    "Evidence",
    "Relation",
    "Metric",
    "Extraction",
]

#: The classes a mention can have: the classes of :mod:`kg.schema` that ``kg eval`` scores (a
#: test keeps the two in step).
EntityType = Literal["Park", "Enterprise", "Policy", "Person", "GovernmentBody", "Place"]


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into a document's text."""

    start: int
    end: int


@dataclass(slots=True)
class Sentence:
    """One sentence of an article body; ``norm`` is its normalised text, same length map."""

    index: int
    start: int
    end: int
    text: str
    norm: str
    paragraph: int = 0


@dataclass(slots=True)
class Article:
    """One article of a page: headline, byline people, captions and body sentences."""

    index: int
    headline: str
    authors: list[str]
    captions: list[str]
    start: int
    end: int
    sentences: list[Sentence] = field(default_factory=list)
    date_year: int | None = None
    doc_id: str = ""
    headline_sentences: int = 0

    @property
    def key(self) -> str:
        """A content-derived identifier, stable across runs and file names."""
        return self.doc_id


@dataclass(slots=True)
class Document:
    """A decoded input file: original text, its normalised twin and the articles in it."""

    path: str
    text: str
    norm: str
    offsets: Sequence[int]  # a range when normalising changed no length, else an array
    encoding: str
    articles: list[Article] = field(default_factory=list)

    def original(self, start: int, end: int) -> str:
        """The original text behind the normalised range ``[start, end)``."""
        return self.text[self.offsets[start] : self.offsets[end]]

    def source_span(self, start: int, end: int) -> Span:
        """Map a normalised range to the original file text's character range."""
        return Span(self.offsets[start], self.offsets[end])


@dataclass(slots=True, eq=False)
class Mention:
    """A typed name found in a sentence; offsets are into ``Document.norm``.

    Mentions compare and hash by identity: two finders may find the same span, and each
    mention maps to its own entity (``ArticleEntities.of_mention``).
    """

    type: EntityType
    text: str
    start: int
    end: int
    sentence: int
    rule: str
    # For generic references (该区, 公司) the mention points at what it stands for.
    refers_to: str | None = None
    generic: bool = False
    # Finder-specific detail: a place's level, a person's post titles, a zone's short suffix.
    detail: str | None = None


@dataclass(slots=True)
class Entity:
    """One real thing: a canonical name, its other spellings, and where it was named."""

    type: EntityType
    key: str
    label: str
    aliases: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)
    place_level: str | None = None
    # Extra identity for people: the organisation of their first post.
    qualifier: str = ""


@dataclass(slots=True)
class Evidence:
    """Where a fact was said: article, sentence, the matched span and the producing rule."""

    article: str
    sentence: int
    start: int
    end: int
    rule: str
    confidence: float


@dataclass(slots=True)
class Relation:
    """A fact ``subject predicate object`` between two entity keys, with its evidence."""

    subject: str
    predicate: str
    object: str
    evidence: Evidence
    post: str | None = None


@dataclass(slots=True)
class Metric:
    """A figure normalised to base units, credited to a park or an enterprise."""

    subject: str
    indicator: str
    value: Decimal
    unit: str
    surface: str
    evidence: Evidence
    qualifier: str | None = None
    year: int | None = None
    target: bool = False
    growth_of: int | None = None  # index of the metric that grew, in the same list
    key: str = ""


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one article, ready to be turned into triples."""

    article: Article
    document: Document
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
