"""``build``: files in, graph out — the whole pipeline behind ``kg build``.

paths → :mod:`kg.corpus` (Documents) → :mod:`kg.pipeline` (Extractions) →
:class:`kg.graph.GraphBuilder` (triples) → an rdflib Graph or Dataset, or a file written by
pyoxigraph. Unreadable inputs are collected, not fatal: each gets one
:class:`~kg.errors.InputError` naming the file and the reason.

Files are extracted one by one and turned into triples at once (:mod:`kg.parallel` runs that
here, in ``jobs`` worker processes or on a Dask cluster); results are merged in input order,
so every way of running gives the same graph. With ``store=DIR`` the triples go to the
persistent, incremental :class:`kg.store.GraphStore` instead of memory, and files it holds
unchanged are not read again.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from .errors import InputError
from .ontology import DEFAULT_BASE_IRI, KG, KG_NS
from .schema import class_names, relation_names

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph
    from rdflib import Dataset, Graph

    from .graph import GraphBuilder
    from .parallel import FileFacts
    from .segment import Segmenter
    from .store import GraphStore

__all__ = [
    "BuildResult",
    "Sink",
    "Progress",
    "build",
    "build_corpus",
    "default_inputs",
    "peak_memory",
    "summarize",
]

#: ``progress(done, total, name, articles=n)``: called after each file is merged.
Progress = Callable[..., None]


class Sink(Protocol):
    """Where a build's facts go, one file at a time, whichever executor (one process, workers,
    Dask) made them: the in-memory :class:`~kg.graph.GraphBuilder` (written to a file at the
    end) or the persistent :class:`~kg.store.GraphStore`."""

    def put(self, file_facts: FileFacts) -> None:
        """Take the facts of one file (replacing what an earlier build put from that file)."""

    def commit(self) -> None:
        """Make what was put durable (a store); a no-op where nothing outlives the build."""


@dataclass
class BuildResult:
    """What a build produced and what it could not read.

    The triples are in ``builder`` (an in-memory build) or in ``store`` (``store=DIR``).
    ``timings`` splits the time by stage: ``read``, ``extract`` and ``triples`` are seconds of
    work summed over all workers; ``merge`` (and ``write``, once written) are seconds in this
    process.
    """

    builder: GraphBuilder | None = None
    store: GraphStore | None = None
    documents: int = 0
    articles: int = 0
    problems: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files of the folders left out, each with the reason
    dropped: list[tuple[str, str, str]] = field(default_factory=list)  # (file, fact, reason): facts left out
    seconds: float = 0.0
    characters: int = 0
    unchanged: int = 0
    interrupted: bool = False
    timings: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("read", "extract", "triples", "merge"), 0.0)
    )
    _graph: Graph | None = None
    _full: tuple[pyoxigraph.Store, bool] | None = None

    @property
    def graph(self) -> Graph:
        """The union graph as an rdflib Graph (made once, on first use; costly for big graphs)."""
        if self._graph is None:
            if self.store is None and self.builder is None and self._full is not None:
                from rdflib import Graph

                from .rdfio import fill_graph, union_triples

                self._graph = fill_graph(Graph(), union_triples(self._full[0], named=False))
            else:
                self._graph = self.store.graph() if self.store is not None else self._builder().graph()
        return self._graph

    def dataset(self) -> Dataset:
        """The graph with one named graph per article."""
        return self.store.dataset() if self.store is not None else self._builder().dataset()

    def _builder(self) -> GraphBuilder:
        assert self.builder is not None
        return self.builder

    def triple_count(self) -> int:
        """Distinct triples in the union graph."""
        if self.store is None and self.builder is None and self._full is not None:
            return len(self._full[0])
        return self.store.triple_count() if self.store is not None else self._builder().triple_count()

    def oxigraph(self) -> pyoxigraph.Store:
        """A pyoxigraph store to run SPARQL on (for an in-memory build: entities, relations, metrics)."""
        if self.store is None and self.builder is None and self._full is not None:
            return self._full[0]
        return self.store.oxigraph if self.store is not None else self._builder().store()

    def summary(self) -> dict[str, Counter[str]]:
        """Counts of entities by class and relations by predicate (like :func:`summarize`, but fast)."""
        # A store's default graph is the union of its articles (each triple once); an in-memory
        # build with one graph per article asks for their union.
        from .rdfio import select

        named = self.store is None and self.builder is not None and self.builder.named_graphs
        store = self.oxigraph()
        classes, relation_types = class_names(network=True), relation_names(counted=True)
        values = " ".join(f"kg:{name}" for name in classes)
        entities: Counter[str] = Counter(dict.fromkeys(classes, 0))
        query = f"PREFIX kg: <{KG._NS}> SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {values} }} ?s a ?c }} GROUP BY ?c"
        for row in select(store, query, union=named):
            entities[row["c"].value.rpartition("#")[2]] = int(row["n"].value)
        values = " ".join(f"kg:{name}" for name in relation_types)
        relations: Counter[str] = Counter(dict.fromkeys(relation_types, 0))
        query = (
            f"PREFIX kg: <{KG._NS}> SELECT ?p (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE "
            f"{{ VALUES ?p {{ {values} }} ?s ?p ?o }} }} GROUP BY ?p"
        )
        for row in select(store, query, union=named):
            relations[row["p"].value.rpartition("#")[2]] = int(row["n"].value)
        return {"entities": entities, "relations": relations}

    @property
    def holds_whole_graph(self) -> bool:
        """Whether :meth:`full_store` is ready without a written file (a ``queryable`` build)."""
        return self.builder is not None and self.builder.queryable

    def full_store(self, written: str | os.PathLike[str] | None = None) -> tuple[pyoxigraph.Store, bool]:
        """The whole graph in a pyoxigraph store, and whether its named graphs together are the data.

        For the SHACL check and the page of a big graph, which must not go through rdflib. A
        ``store=DIR`` build is used as it is, and so is the store of a ``queryable`` build (no
        file needed: :meth:`write` still works afterwards). Another in-memory build loads
        ``written`` (the file it just wrote; Oxigraph's parser, no Python per triple) or else
        its triples. Made once.
        """
        if self.store is not None:
            return self.store.oxigraph, False  # its default graph holds the union, each triple once
        if self._full is None and self.builder is not None and self.builder.queryable:
            # Every triple is in the builder's store already (its articles' own in a graph of
            # their own): no file to parse, and it can be had before the file is written.
            self._full = (self.builder.settle(), True)
        if self._full is None:
            import pyoxigraph as ox

            from .rdfio import load_store

            path = Path(written) if written is not None else None
            if path is not None and path.suffix.lower() in (".ttl", ".nt") and not self._builder().named_graphs:
                # The file holds the whole graph: the builder's own store and label counts (most of
                # a big build's memory) go before Oxigraph reads it, and answer from the file's copy.
                self.builder.close()  # type: ignore[union-attr]
                self.builder = None
                self._full = (load_store(path), False)
            elif path is not None and path.suffix.lower() in (".ttl", ".nt", ".trig", ".nq"):
                self._full = (load_store(path), path.suffix.lower() in (".trig", ".nq"))
            else:
                store = ox.Store()
                store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self._builder().triples())
                self._full = (store, False)
        return self._full

    def write(self, destination: str | os.PathLike[str], format_name: str = "turtle") -> Path:
        """Write the graph atomically (pyoxigraph for Turtle, N-Triples, TriG, N-Quads)."""
        from .rdfio import atomic_write, rdf_format

        format_name = rdf_format(format_name).name
        started = time.perf_counter()
        source = self.store if self.store is not None else self._builder()
        path = atomic_write(destination, lambda temp: source.write(str(temp), format_name))
        self.timings["write"] = time.perf_counter() - started
        return path

    def write_stream(self, stream: IO[bytes], format_name: str = "turtle") -> None:
        """Write the graph to a binary stream."""
        source = self.store if self.store is not None else self._builder()
        source.write(stream, format_name)


def default_inputs() -> list[Path]:
    """The embedded default corpus: ``seeds/`` in the current folder (a checkout of kg), else the
    copy installed with the package (``kg/_data/seeds``), so ``kg build`` runs anywhere."""
    seeds = Path("seeds")
    if seeds.is_dir():
        return [seeds]
    packaged = Path(str(resources.files("kg") / "_data" / "seeds"))
    if not packaged.is_dir():
        raise InputError(
            str(packaged),
            "no input given and the seed corpus is missing from this install; name files or folders to read",
        )
    return [packaged]


def peak_memory() -> dict[str, float]:
    """Peak resident memory in MiB of this process and of its largest finished child.

    On Linux this process's peak is read from ``/proc/self/status`` (``VmHWM``): ``getrusage``
    would also count the memory of the process that started kg, which Linux carries over into
    a child's ``ru_maxrss`` across fork and exec.
    """
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1_048_576
    own = _high_water_mark()
    if own is None:  # not Linux: getrusage is the best there is
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    return {"self": own, "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale}


def _high_water_mark() -> float | None:
    """``VmHWM`` of this process in MiB, or None where ``/proc`` does not have it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return None


def build_corpus(
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    base_iri: str | None = None,
    segmenter: Segmenter | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    executor: str = "process",
    scheduler: str | None = None,
    named_graphs: bool = True,
    store: str | os.PathLike[str] | GraphStore | None = None,
    output_format: str | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    queryable: bool = False,
) -> BuildResult:
    """Read, extract and assemble; never raises for a single bad file.

    ``base_iri`` is the namespace of instance IRIs (default ``kgr:``; a store keeps the one it
    was made with). ``jobs`` worker processes extract in parallel (``executor="dask"`` with ``scheduler``
    uses a Dask cluster instead); the graph is the same whichever runs it. ``named_graphs``
    keeps one graph per article in memory (needed for :meth:`BuildResult.dataset`). ``store``
    (a folder or an open :class:`~kg.store.GraphStore`) adds the files to a persistent store;
    files it already holds with the same content are skipped. ``output_format="turtle"`` says
    the result will be written as Turtle, which lets workers prepare most of it. Folders give
    their articles only (see :func:`kg.corpus.find_inputs`, with the ``include`` / ``exclude``
    glob patterns); what they held besides is listed in ``result.skipped``. ``queryable`` says
    the whole graph will be queried after the build (:meth:`BuildResult.full_store`, for the page
    and the SHACL check): an in-memory union build then loads each article into its store as it
    is merged, instead of parsing the written file again afterwards.

    Ctrl-C stops the build between two files: a store keeps every file merged so far and its
    labels are brought up to date before ``KeyboardInterrupt`` goes on up.
    """
    from .graph import GraphBuilder
    from .parallel import map_files

    started = time.perf_counter()
    from .corpus import find_inputs

    found = find_inputs(paths if paths else default_inputs(), include=include, exclude=exclude)
    files = found.files
    result = BuildResult(problems=found.problems, skipped=found.skipped)
    graph_store = _open_store(store, base_iri) if store is not None else None
    if graph_store is not None:
        result.store = graph_store
        tasks = graph_store.changed_tasks(files, result)
        base_iri = graph_store.base_iri
    else:
        base_iri = base_iri or DEFAULT_BASE_IRI
        # Bound for Turtle: each article's own triples are written as Turtle where they are made
        # (in the workers, if any), which leaves little more than appending them.
        turtle = output_format == "turtle" and not named_graphs
        result.builder = GraphBuilder(base_iri=base_iri, named_graphs=named_graphs, turtle=turtle, queryable=queryable)
        tasks = None
    total = len(files)
    processed = 0
    merge = result.timings
    facts: Iterator[Any] = map_files(
        files,
        base_iri=base_iri,
        jobs=jobs,
        executor=executor,
        scheduler=scheduler,
        segmenter=segmenter,
        tasks=tasks,
        turtle=result.builder is not None and result.builder.writes_turtle,
    )
    sink: Sink = graph_store if graph_store is not None else result._builder()
    try:
        for file_facts in facts:
            processed += 1
            error = file_facts.error()
            if error is not None:
                result.problems.append(error)
            else:
                merged = time.perf_counter()
                sink.put(file_facts)
                merge["merge"] += time.perf_counter() - merged
                for stage, seconds in file_facts.timings.items():
                    merge[stage] = merge.get(stage, 0.0) + seconds
                result.documents += 1
                result.articles += len(file_facts.articles)
                result.dropped.extend((file_facts.path, *fact) for a in file_facts.articles for fact in a.dropped)
                result.characters += file_facts.chars
            if progress:  # files a store holds unchanged count as done too
                progress(min(processed + result.unchanged, total), total, file_facts.path, articles=result.articles)
        if progress and (processed + result.unchanged < total or not processed):
            progress(total, total, "", articles=result.articles)
    except KeyboardInterrupt:
        result.interrupted = True
        if graph_store is not None:
            graph_store.commit()
            if graph_store is not store:  # opened here: nobody else can close it (and free its lock)
                graph_store.close()
        raise
    except BaseException:
        if graph_store is not None and graph_store is not store:  # a write failed: free the lock, write no more
            graph_store.release()
        raise
    finally:
        close = getattr(facts, "close", None)
        if close:
            close()
    if graph_store is not None:
        labelled = time.perf_counter()
        stage = getattr(progress, "stage", None)  # a kg.feedback display names this step
        try:
            if stage is not None:
                with stage("labels and commit"):
                    graph_store.commit()
            else:
                graph_store.commit()
        except BaseException:
            if graph_store is not store:
                graph_store.release()
            raise
        merge["labels"] = time.perf_counter() - labelled
    result.seconds = time.perf_counter() - started
    return result


def _open_store(store: Any, base_iri: str | None) -> GraphStore:
    from .errors import UsageError
    from .store import GraphStore

    if isinstance(store, GraphStore):
        if base_iri and base_iri != store.base_iri:
            raise UsageError(f"{store.directory} holds IRIs under {store.base_iri}, not {base_iri}")
        return store
    return GraphStore(store, base_iri=base_iri)


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
    from rdflib import RDF, URIRef

    entities: Counter[str] = Counter()
    for cls in class_names(network=True):
        entities[cls] = sum(1 for _ in graph.subjects(RDF.type, URIRef(KG_NS + cls)))
    relations: Counter[str] = Counter()
    for name in relation_names(counted=True):
        relations[name] = sum(1 for _ in graph.subject_objects(URIRef(KG_NS + name)))
    return {"entities": entities, "relations": relations}
