"""Pipeline components: a name, what each one reads and adds, and the registry they join.

A component is one step of the data flow (reader, splitter, segmenter, each mention finder, the
resolver, each relation rule, the metric reader, the fact builder, the sink). It declares the
kinds of data it ``reads`` and ``adds`` and works on one :class:`Work`. Modules register their
components with :func:`component`; the order they run in is data, one list in
:mod:`kg.pipeline`, checked by :func:`check_order` before anything runs: a listed name nobody
registered, a registered component left out of the list, or one that reads what no component
before it adds, is a :class:`~kg.errors.PipelineError` naming the component and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .errors import PipelineError

if TYPE_CHECKING:  # pragma: no cover
    from .extract.base import SentenceContext
    from .model import Article, Document, Extraction, Mention, Metric, Relation
    from .resolve import ArticleEntities
    from .segment import Segmenter

__all__ = ["Stage", "Work", "Component", "COMPONENTS", "component", "check_order"]

#: Where a component runs: on the input (read), on each article (extract), on each article's
#: extraction (write).
Stage = Literal["read", "extract", "write"]


@dataclass(slots=True)
class Work:
    """What flows through the components for one input file; each component fills in a field.

    ``named`` holds, per sentence, the mentions that name an entity (or a person) once the
    resolver has run: the relation rules all read this one view.
    """

    path: str
    text: str | None = None
    document: Document | None = None
    article: Article | None = None
    segmenter: Segmenter | None = None
    contexts: list[SentenceContext] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: ArticleEntities | None = None
    named: dict[int, list[Mention]] = field(default_factory=dict)
    candidates: list[Relation] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    builder: Any = None  # a kg.graph.GraphBuilder, for the fact builder
    facts: Any = None  # the article's kg.graph.ArticleFacts
    sink: Callable[[Any], None] | None = None  # where the facts go (a list's append, a store …)

    def extraction(self) -> Extraction:
        """The article's extraction, as ``kg.pipeline.extract_document`` returns it."""
        from .model import Extraction

        assert self.article is not None and self.document is not None and self.entities is not None
        return Extraction(
            article=self.article,
            document=self.document,
            entities=self.entities.entities,
            relations=self.relations,
            metrics=self.metrics,
        )


Step = Callable[[Work], None]


@dataclass(frozen=True, slots=True)
class Component:
    """One registered step: its name, the data it reads and adds, and the function doing it.

    ``optional`` components are registered but run only when a pipeline lists them (the
    statistical recognizer's ``ner.org``, ``ner.person``).
    """

    name: str
    reads: tuple[str, ...]
    adds: tuple[str, ...]
    run: Step
    stage: Stage = "extract"
    optional: bool = False

    def __call__(self, work: Work) -> None:
        self.run(work)


#: Every registered component by name, in registration order.
COMPONENTS: dict[str, Component] = {}


def component(
    name: str, *, reads: Iterable[str], adds: Iterable[str], stage: Stage = "extract", optional: bool = False
) -> Callable[[Step], Step]:
    """Register the decorated function as the component ``name``."""

    def decorate(run: Step) -> Step:
        if name in COMPONENTS:
            raise PipelineError(f"a component named {name!r} is registered already; give the new one another name")
        COMPONENTS[name] = Component(name, tuple(reads), tuple(adds), run, stage, optional)
        return run

    return decorate


def check_order(
    names: Sequence[str], *, given: Iterable[str] = ("path",), registry: dict[str, Component] | None = None
) -> tuple[Component, ...]:
    """The components of ``names`` in that order, after checking the order is runnable.

    ``given`` is what the input already holds. Raises :class:`PipelineError` for a name that is
    listed twice or registered nowhere, a registered, non-optional component missing from
    ``names``, and a component that reads something no earlier component adds.
    """
    registry = COMPONENTS if registry is None else registry
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise PipelineError(f"pipeline component {name!r} is listed twice; list each component once")
        seen.add(name)
        if name not in registry:
            raise PipelineError(
                f"pipeline component {name!r} is not registered (known: {', '.join(registry)}); "
                "register it with kg.components.component() in a module kg.pipeline imports, or fix the name"
            )
    left_out = [name for name, c in registry.items() if name not in seen and not c.optional]
    if left_out:
        raise PipelineError(
            f"registered components missing from the pipeline: {', '.join(left_out)}; "
            "add them to kg.pipeline.PIPELINE (or register them with optional=True)"
        )
    available = set(given)
    for name in names:
        c = registry[name]
        missing = [data for data in c.reads if data not in available]
        if missing:
            later = [other for other in names[names.index(name) + 1 :] if set(missing) & set(registry[other].adds)]
            hint = f"; move it after {later[-1]!r}" if later else "; no component adds it: register one that does"
            raise PipelineError(
                f"pipeline component {name!r} reads {', '.join(missing)}, which no component before it adds{hint}"
            )
        available.update(c.adds)
    return tuple(registry[name] for name in names)
