"""``build``: files in, graph out — the whole pipeline behind ``kg build``.

paths → :mod:`kg.corpus` (Documents) → :mod:`kg.pipeline` (Extractions) →
:class:`kg.graph.GraphBuilder` (rdflib Graph or Dataset). Unreadable inputs are collected, not
fatal: each gets one :class:`~kg.errors.InputError` naming the file and the reason.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Dataset, Graph

from .corpus import expand_paths, read_document
from .errors import InputError
from .graph import GraphBuilder
from .model import Extraction
from .ontology import DEFAULT_BASE_IRI, KG
from .pipeline import extract_document
from .segment import Segmenter

__all__ = ["BuildResult", "build", "build_corpus", "default_inputs", "summarize", "text_progress"]

Progress = Callable[[int, int, str], None]


@dataclass
class BuildResult:
    """What a build produced and what it could not read."""

    builder: GraphBuilder
    documents: int = 0
    articles: int = 0
    problems: list[InputError] = field(default_factory=list)
    seconds: float = 0.0
    _graph: Graph | None = None

    @property
    def extractions(self) -> list[Extraction]:
        return self.builder.extractions

    @property
    def graph(self) -> Graph:
        """The union graph (built once, on first use)."""
        if self._graph is None:
            self._graph = self.builder.graph()
        return self._graph

    def dataset(self) -> Dataset:
        """The graph with one named graph per article."""
        return self.builder.dataset()


def default_inputs() -> list[Path]:
    """The embedded default corpus: ``seeds/`` in the current folder."""
    seeds = Path("seeds")
    if not seeds.is_dir():
        raise InputError("seeds/", "no input given and there is no seeds/ folder here; name files or folders to read")
    return [seeds]


def build_corpus(
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    segmenter: Segmenter | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Read, extract and assemble; never raises for a single bad file."""
    started = time.perf_counter()
    files, problems = expand_paths(paths if paths else default_inputs())
    segmenter = segmenter or Segmenter()
    result = BuildResult(builder=GraphBuilder(base_iri=base_iri), problems=problems)
    for number, path in enumerate(files, 1):
        if progress:
            progress(number, len(files), str(path))
        try:
            document = read_document(path)
        except InputError as error:
            result.problems.append(error)
            continue
        extractions = extract_document(document, segmenter=segmenter)
        result.builder.add(extractions)
        result.documents += 1
        result.articles += len(extractions)
    result.seconds = time.perf_counter() - started
    return result


def build(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
) -> Graph:
    """Build the knowledge graph of ``paths`` (files, folders, globs) as an rdflib Graph.

    Raises :class:`~kg.errors.InputError` only when nothing at all could be read.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    result = build_corpus(paths, base_iri=base_iri)
    if result.documents == 0:
        first = result.problems[0] if result.problems else InputError("<input>", "nothing to read")
        raise first
    return result.graph


def summarize(graph: Graph) -> dict[str, Counter[str]]:
    """Counts of entities by class and relations by predicate, for the build summary."""
    entities: Counter[str] = Counter()
    for cls in ("Park", "Enterprise", "Policy", "Person", "GovernmentBody", "Place", "Metric"):
        entities[cls] = sum(1 for _ in graph.subjects(RDF.type, KG[cls]))
    relations: Counter[str] = Counter()
    for name in ("hosts", "issues", "achieves", "locatedIn", "partOf", "holdsPost"):
        relations[name] = sum(1 for _ in graph.subject_objects(KG[name]))
    return {"entities": entities, "relations": relations}


def text_progress(stream=sys.stderr) -> Progress:
    """A one-line progress bar with files/s and ETA, drawn on ``stream``."""
    started = time.perf_counter()

    def show(done: int, total: int, name: str) -> None:
        elapsed = time.perf_counter() - started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate else 0.0
        width = 30
        filled = int(width * done / max(total, 1))
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files  {rate:5.1f}/s  ETA {eta:4.0f}s ")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show

