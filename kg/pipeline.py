"""The pipeline from text to facts: its components and the one list that orders them.

Each step is a registered :class:`~kg.components.Component` that declares what it reads and
adds; :data:`PIPELINE` lists them in the order they run, and :func:`components` checks that
order before the first article is read (:class:`~kg.errors.PipelineError` otherwise). Adding a
recognizer or a relation rule is one module registering a component plus one line here.
``extract_document`` runs the extraction part on one Document and returns one
:class:`~kg.model.Extraction` per article; ``kg.graph`` turns those into RDF. ``docs/architecture.md``
draws the flow.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from . import extract, resolve  # noqa: F401  (register the finders, aliases and the resolver)
from .components import COMPONENTS, Component, Stage, Work, check_order, component
from .extract import metrics, relations  # noqa: F401  (register the relation rules and the metric reader)
from .extract.base import FINDERS, SentenceContext
from .model import Document, Extraction
from .segment import Segmenter, default_segmenter

__all__ = ["PIPELINE", "FINDER_ORDER", "components", "extract_document", "run_file"]

#: Every component, in the order it runs. Finders: policy titles and full company names claim
#: their spans first, people before zones, bodies after the parks and places they hang on,
#: generic references last (see kg.extract).
PIPELINE: tuple[str, ...] = (
    "reader",
    "splitter",
    "segmenter",
    "policy",
    "enterprise.full",
    "person",
    "person.bracketed",
    "person.speaker",
    "park",
    "place",
    "body",
    "enterprise.short",
    "ner.full-name",
    "reference",
    "aliases",
    "resolver",
    "named",
    "relation.hosts",
    "relation.issues",
    "relation.partOf",
    "relation.locatedIn",
    "relation.holdsPost",
    "relations",
    "metrics",
    "facts",
    "sink",
)

#: The mention finders of :data:`PIPELINE`, in their order.
FINDER_ORDER: tuple[str, ...] = tuple(name for name in PIPELINE if name in dict(FINDERS))


@component("reader", reads=("path",), adds=("text",), stage="read")
def read(work: Work) -> None:
    """The file's text, decoded (unless the caller brought it)."""
    if work.text is None:
        from .corpus import load_text

        work.text = load_text(work.path)[0]


@component("splitter", reads=("text",), adds=("document", "sentences"), stage="read")
def split(work: Work) -> None:
    """The normalised text, its articles and their sentences."""
    from .corpus import read_document

    work.document = read_document(work.path, text=work.text)


@component("segmenter", reads=("sentences",), adds=("words",))
def segment(work: Work) -> None:
    """One sentence context per sentence, with the Segmenter that tags its words."""
    assert work.article is not None
    work.segmenter = work.segmenter or default_segmenter()
    work.contexts = [
        SentenceContext(sentence=sentence, segmenter=work.segmenter) for sentence in work.article.sentences
    ]


@component("facts", reads=("entities", "relations", "metrics"), adds=("facts",), stage="write")
def build_facts(work: Work) -> None:
    """The article's triples (kg.graph.GraphBuilder.facts)."""
    if work.builder is None:
        from .graph import GraphBuilder

        work.builder = GraphBuilder()
    work.facts = work.builder.facts(work.extraction())


@component("sink", reads=("facts",), adds=("stored",), stage="write")
def store(work: Work) -> None:
    """Hand the article's facts to the caller's sink (a file writer, a store …)."""
    if work.sink is not None:
        work.sink(work.facts)


@cache
def components(stage: Stage | None = None) -> tuple[Component, ...]:
    """The components of :data:`PIPELINE` (of one ``stage``), checked once per process."""
    checked = check_order(PIPELINE, registry=COMPONENTS)
    return tuple(c for c in checked if stage is None or c.stage == stage)


def extract_document(document: Document, *, segmenter: Segmenter | None = None) -> list[Extraction]:
    """Extract entities, relations and metrics from every article of ``document``."""
    steps = components("extract")
    segmenter = segmenter or default_segmenter()
    extractions = []
    for article in document.articles:
        work = Work(path=document.path, document=document, article=article, segmenter=segmenter)
        for step in steps:
            step(work)
        extractions.append(work.extraction())
    return extractions


def run_file(
    path: str,
    sink: Callable[[Any], None],
    *,
    text: str | None = None,
    segmenter: Segmenter | None = None,
    builder: Any = None,
) -> None:
    """Run every component on one file: ``sink`` receives each article's ``ArticleFacts``."""
    work = Work(path=path, text=text, segmenter=segmenter, builder=builder, sink=sink)
    for step in components("read"):
        step(work)
    assert work.document is not None
    for article in work.document.articles:
        each = Work(
            path=path,
            document=work.document,
            article=article,
            segmenter=work.segmenter,
            builder=work.builder,
            sink=sink,
        )
        for step in components("extract") + components("write"):
            step(each)
        work.builder = each.builder
