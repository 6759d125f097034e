"""The ``kg`` command: a thin layer of argument parsing over the library functions.

Each sub-command is a pair: ``_add_NAME(subparsers)`` declares its options and
``_run_NAME(args) -> int`` calls the library. Errors derived from :class:`kg.errors.KGError`
become one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from . import __version__
from .errors import KGError, UsageError
from .ontology import DEFAULT_BASE_IRI

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future

    import pyoxigraph
    from rdflib import Graph

    from .feedback import Feedback
    from .rdfio import Format
    from .store import GraphStore
    from .validate import ValidationResult

__all__ = ["main"]

Adder = Callable[[argparse._SubParsersAction], None]


#: How every command reads a graph and writes its output, for --help.
GRAMMAR = """\
Reading: -g/--graph FILE names the graph (repeat it to merge several files; - is standard input),
or --store DIR a store made by kg build --store; the format comes from the file suffix
(--input-format says otherwise; standard input is Turtle unless it says). Default: out/graph.ttl.
Writing: -o/--output FILE is where the command's output goes (- is standard output); its format
comes from the suffix (.ttl, .nt, .nq, .trig, .jsonld, .csv, .tsv, .srj, .gexf, .html …) unless
--format names one. kg build writes a graph and its page: -o DIR (default out) writes
DIR/graph.ttl and DIR/graph.html, -o FILE.ttl (or .nt, .nq, .trig, .jsonld) writes that file and
FILE.html beside it. Formats go by their common names: turtle/ttl, nt/ntriples, nquads/nq, trig,
json-ld/jsonld, xml/rdfxml; json, xml, csv, tsv for SPARQL results."""


def _rdf_name(text: str) -> str:
    """An RDF format name as typed (ttl, ntriples, jsonld …) → its canonical name."""
    from .rdfio import rdf_format

    try:
        return rdf_format(text).name
    except UsageError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_graph(parser: argparse.ArgumentParser, *, positional: bool = False) -> None:
    """The graph a command reads: ``-g FILE`` (repeatable, ``-`` for stdin) or ``--store DIR``."""
    parser.add_argument(
        "-g", "--graph", action="append", default=[], metavar="FILE",
        help="graph file to read; repeat to merge several; - reads standard input (default: out/graph.ttl)",
    )  # fmt: skip
    if positional:
        parser.add_argument(
            "graph_files", nargs="*", metavar="GRAPH", help="the same as -g GRAPH (kept from earlier versions)"
        )
    parser.add_argument(
        "--input-format", metavar="FORMAT", type=_rdf_name,
        help="format of the graph files: turtle, nt, nquads, trig, json-ld, xml (default: by suffix; turtle for -)",
    )  # fmt: skip
    parser.add_argument(
        "--store", metavar="DIR", help="read the persistent store in DIR (made by kg build --store) instead of a file"
    )


def _graph_source(args: argparse.Namespace) -> list[str]:
    """The files (or the store folder) a command reads, from its -g/GRAPH and --store options."""
    files = [*args.graph, *getattr(args, "graph_files", [])]
    store = getattr(args, "store", None)
    if store and files:
        raise UsageError(f"give the graph file(s) ({', '.join(files)}) or --store {store}, not both")
    return [store] if store else files or ["out/graph.ttl"]


def _source(args: argparse.Namespace, engine: str = "oxigraph") -> str | Graph | pyoxigraph.Store:
    """What the library functions read: the one file or store as a path (read where it is
    needed, e.g. in each serve worker), else the files merged into one Oxigraph store (or
    rdflib graph for ``engine`` rdflib); standard input is read here, once."""
    from .rdfio import STDIO, load_graph, load_store

    sources = args.graph
    if len(sources) == 1 and sources[0] != STDIO and args.input_format is None:
        return sources[0]
    if engine == "rdflib":
        return load_graph(sources, format=args.input_format)
    return load_store(sources, format=args.input_format)


def _graph_name(args: argparse.Namespace) -> str:
    return " + ".join("standard input" if name == "-" else name for name in args.graph)


def _err(message: str) -> None:
    print(f"kg: {message}", file=sys.stderr)


# kg build ---------------------------------------------------------------------
def _add_build(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "build",
        help="read articles and write the knowledge graph (Turtle and HTML)",
        description="Read .txt/.md/.html files, folders or globs (default: ./seeds, else the seed corpus "
        "installed with kg) and write "
        "OUTDIR/graph.ttl (or another --format) and OUTDIR/graph.html. With --store DIR the graph "
        "is kept in a persistent store that later builds add to: unchanged files are skipped, "
        "changed files replace their facts.",
    )
    parser.add_argument(
        "paths", nargs="*",
        help="files, folders or glob patterns (default: seeds/ here, else kg's own seed corpus); "
        "folders give their .txt/.md/.html articles, not README, LICENSE or CHANGELOG",
    )  # fmt: skip
    parser.add_argument(
        "-o",
        "--output",
        "--out",
        dest="out",
        default="out",
        metavar="DIR|FILE",
        help="output folder for graph.ttl and graph.html (default: out), or the graph file itself "
        "(FILE.ttl, .nt, .nq, .trig, .jsonld: the page goes beside it as FILE.html), or - for standard output",
    )
    parser.add_argument(
        "--format",
        type=_rdf_name,
        metavar="FORMAT",
        help="graph format: turtle (ttl), nt, json-ld, trig, nquads (nq), xml; trig and nquads keep one "
        "named graph per article (default: from the -o FILE suffix, else turtle)",
    )
    parser.add_argument("--base-iri", default=None, help=f"namespace of instance IRIs (default: {DEFAULT_BASE_IRI})")
    parser.add_argument("--no-html", action="store_true", help="do not write graph.html")
    parser.add_argument("--no-validate", action="store_true", help="skip the SHACL check of the result")
    parser.add_argument(
        "--pyshacl",
        action="store_true",
        help="check the shapes with pyshacl, the reference (slow: minutes from 100 articles on)",
    )
    parser.add_argument(
        "-j", "--jobs", type=int, default=1, help="worker processes extracting in parallel (default: 1)"
    )
    parser.add_argument(
        "--store", metavar="DIR",
        help="keep the graph in a persistent, incremental store in DIR (made if missing) and write OUTDIR from it",
    )  # fmt: skip
    parser.add_argument(
        "--executor", default="process", choices=["process", "dask"],
        help="where extraction runs: local processes (--jobs) or a Dask cluster (--scheduler) (default: process)",
    )  # fmt: skip
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address for --executor dask, e.g. tcp://10.0.0.5:8786"
    )
    parser.add_argument(
        "--no-output", action="store_true", help="write no graph file (with --store: only update the store)"
    )
    parser.add_argument("--timings", action="store_true", help="print the time spent per stage and the peak memory")
    parser.add_argument(
        "--include", action="append", default=[], metavar="GLOB",
        help="in folders, read only files matching GLOB (path below the folder or file name, e.g. '2024/*.txt'); repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="in folders, leave out files matching GLOB; repeatable",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    parser.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from .builder import build_corpus, peak_memory
    from .feedback import Feedback
    from .rdfio import FORMATS, STDIO, Format, guess_format

    if args.executor == "dask" and not args.scheduler:
        raise UsageError(
            "--executor dask needs --scheduler ADDRESS of a running Dask scheduler (e.g. tcp://10.0.0.5:8786)"
        )
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give 1 or more worker processes")
    to_stdout = args.out == STDIO
    named = guess_format(args.out) if not to_stdout and not Path(args.out).is_dir() else None
    if isinstance(named, Format):  # -o FILE.ttl: the graph file, its page beside it
        args.format = args.format or named.name
        target: Path | None = Path(args.out)
        page = Path(args.out).with_suffix(".html")
    else:  # -o DIR (or -): DIR/graph.ttl and DIR/graph.html
        args.format = args.format or "turtle"
        target = None if to_stdout else Path(args.out) / f"graph{FORMATS[args.format].suffix}"
        page = Path(args.out) / "graph.html"
    if to_stdout:
        if args.no_output:
            raise UsageError("-o - writes the graph to standard output; --no-output writes none: give one of them")
        args.no_html = True  # a page needs a file to go to
    say = (lambda *line: print(*line, file=sys.stderr)) if to_stdout else print
    feedback = Feedback.for_terminal(quiet=args.quiet)
    try:
        result = build_corpus(
            args.paths or None,
            base_iri=args.base_iri,
            progress=feedback.files() if feedback.enabled else None,
            jobs=args.jobs,
            executor=args.executor,
            scheduler=args.scheduler,
            named_graphs=FORMATS[args.format].named_graphs,
            store=args.store,
            output_format=args.format,
            include=args.include,
            exclude=args.exclude,
            queryable=not args.no_html or not (args.no_validate or args.pyshacl),
        )
    except KeyboardInterrupt:
        feedback.close()
        if args.store:
            _err(f"interrupted; the store {args.store} holds every file merged before Ctrl-C")
        raise
    try:
        for problem in result.problems:
            _err(str(problem))
        if result.skipped and not args.quiet:
            shown = ", ".join(result.skipped[:5]) + (
                f" and {len(result.skipped) - 5} more" if len(result.skipped) > 5 else ""
            )
            say(f"skipped {len(result.skipped)} file(s) that are not articles to read: {shown}")
        if result.documents == 0 and not (args.store and result.unchanged):
            _err("nothing could be read; no graph written")
            return 1
        after_build = time.perf_counter()
        full: tuple[pyoxigraph.Store, bool] | None = None
        checking: Future[ValidationResult] | None = None
        wanted = not args.no_html or not (args.no_validate or args.pyshacl)

        def load_and_check() -> tuple[pyoxigraph.Store, bool]:
            """The Oxigraph copy of the graph that the page and the check read (never rdflib),
            and the check started on it, in a thread: Oxigraph runs its queries without the GIL."""
            nonlocal checking
            started = time.perf_counter()
            # A queryable build's store has every triple already: only the labels go in.
            name = "label the graph in Oxigraph" if result.holds_whole_graph else "load the graph into Oxigraph"
            with feedback.stage(name):
                loaded = result.full_store(None if args.no_output else target)
            result.timings["load"] = time.perf_counter() - started
            if not args.no_validate and not args.pyshacl:
                from concurrent.futures import ThreadPoolExecutor

                pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-shacl")
                checking = pool.submit(_check_shapes, loaded, feedback, result.timings)
                pool.shutdown(wait=False)
            return loaded

        if wanted and result.holds_whole_graph:  # the check runs while the file is written
            full = load_and_check()
        if to_stdout:
            with feedback.stage("write the graph to standard output"):
                sys.stdout.flush()
                result.write_stream(sys.stdout.buffer, args.format)
                sys.stdout.buffer.flush()
        elif not args.no_output:
            assert target is not None
            if result.store is not None:  # first: a store that cannot record it leaves the file as it was
                result.store.record_output(target, args.format)
            with feedback.stage(f"write {target}"):
                result.write(target, args.format)
        listing = None if args.no_output or target is None else target.parent / DROPPED
        # The list describes the graph written: from a store, the facts left out of every file
        # it holds (unchanged files were not read again); otherwise this build's.
        dropped = result.store.dropped() if result.store is not None and listing is not None else result.dropped
        _report_dropped(dropped, listing)
        html_path = validation = None
        if wanted and full is None:  # read from the file just written
            full = load_and_check()
        if not args.no_html:
            from .viz import StoreGraph, write_html

            started = time.perf_counter()
            with feedback.stage("HTML page"):
                assert full is not None  # loaded above for the page
                html_path = write_html(StoreGraph(*full), page)
            result.timings["html"] = time.perf_counter() - started
            if result.store is not None:
                result.store.record_output(html_path, "html")
        elif not args.no_output and not to_stdout:
            _remove_stale_page(page, quiet=args.quiet)
        if checking is not None:
            validation = checking.result()
        elif not args.no_validate:
            from .validate import validate

            started = time.perf_counter()
            with feedback.stage("SHACL check (pyshacl)"):
                validation = validate(result.graph, engine="pyshacl")
            result.timings["validate"] = time.perf_counter() - started
        feedback.close()
        if not args.quiet:
            counts = result.summary()
            unchanged = f", {result.unchanged} unchanged" if result.unchanged else ""
            say(f"read {result.documents} file(s){unchanged}, {result.articles} article(s) in {result.seconds:.2f}s")
            say("entities:  " + ", ".join(f"{k} {v}" for k, v in counts["entities"].items()))
            say("relations: " + ", ".join(f"{k} {v}" for k, v in counts["relations"].items()))
            if result.store is not None:
                store = result.store
                say(f"store:     {len(store)} quads in {len(store.article_keys())} article graphs and kgr:labels")
            else:
                say(f"triples:   {result.triple_count()}")
            if validation is not None:
                say(
                    "shapes:    "
                    + (
                        "conforms"
                        if validation.conforms
                        else f"{len(validation.errors)} violation(s); run kg validate -g {target or '<the graph>'}"
                    )
                )
            written = [
                str(path)
                for path in (
                    "standard output" if to_stdout else None if args.no_output else target,
                    html_path,
                    args.store,
                )
                if path
            ]
            say("wrote " + " and ".join(written))
        if args.timings:
            memory = peak_memory()
            stages = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in result.timings.items())
            say(f"timings:   {stages}; total {result.seconds + time.perf_counter() - after_build:.2f}s")
            say(f"memory:    peak {memory['self']:.0f} MiB here, {memory['children']:.0f} MiB in the largest worker")
        if validation is not None and not validation.conforms:
            if args.quiet:  # a graph the shapes reject is an error: say so even with -q
                where = f"--store {args.store}" if args.no_output else f"-g {target or '<the graph>'}"
                _err(f"shapes: {len(validation.errors)} violation(s) in the graph written; run kg validate {where}")
            return 2
        return 0
    finally:
        feedback.close()
        if result.store is not None:
            result.store.close()


DROPPED = "dropped.tsv"
_DROPPED_HEADER = "file\tfact\treason\n"


def _report_dropped(dropped: list[tuple[str, str, str]], listing: Path | None) -> None:
    """Say which facts the build left out and why: a line on stderr, and each fact in
    ``listing`` (a TSV beside the graph; an earlier build's list is removed when none was left
    out), or on stderr when no graph is written."""
    from .export import atomic_write

    if listing is not None and not dropped and listing.is_file():
        with listing.open(encoding="utf-8", errors="replace") as handle:
            if handle.readline() == _DROPPED_HEADER:
                listing.unlink()
    if not dropped:
        return
    files = len({path for path, _, _ in dropped})
    if listing is None:
        _err(f"dropped {len(dropped)} fact(s) of {files} file(s) that the shapes would reject:")
        for path, fact, reason in dropped:
            print(f"  {path}: {fact}: {reason}", file=sys.stderr)
        return
    rows = "".join("\t".join(" ".join(field.split()) for field in row) + "\n" for row in dropped)
    atomic_write(listing, lambda temp: temp.write_text(_DROPPED_HEADER + rows, encoding="utf-8"))
    _err(f"dropped {len(dropped)} fact(s) of {files} file(s) that the shapes would reject; which and why: {listing}")


def _remove_stale_page(page: Path, *, quiet: bool) -> None:
    """Remove the page an earlier build left beside the graph just written (--no-html): it would
    show other data as if it were this graph's. A page kg did not write is left, with a word."""
    from .corpus import _written_by_kg

    if not page.is_file():
        return
    if not _written_by_kg(page):
        _err(f"{page}: not written by this build (--no-html); it does not show the graph beside it")
        return
    try:
        page.unlink()
    except OSError as error:
        _err(f"{page}: an earlier build's page, stale now, cannot be removed ({error.strerror or error}); remove it")
        return
    if not quiet:
        print(f"removed {page}: an earlier build's page, which would not show this graph (--no-html)")


def _check_shapes(
    full: tuple[pyoxigraph.Store, bool], feedback: Feedback, timings: dict[str, float]
) -> ValidationResult:
    """The SHACL check of a build, by Oxigraph, on the store ``full`` = (store, union)."""
    from .validate import validate

    started = time.perf_counter()
    store, union = full
    with feedback.stage("SHACL check") as update:
        result = validate(store, union=union, progress=update)
    timings["validate"] = time.perf_counter() - started
    return result


# kg remove --------------------------------------------------------------------
def _add_remove(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "remove",
        help="take the facts of files out of a store made by kg build --store",
        description="Remove from the store (default out/store) every fact that came from PATH (a file, or "
        "every file under a folder); labels are recomputed from the articles that remain.",
    )
    parser.add_argument("paths", nargs="+", help="files or folders, as they were given to kg build")
    parser.add_argument("--store", default="out/store", metavar="DIR", help="the store (default: out/store)")
    parser.set_defaults(run=_run_remove)


def _run_remove(args: argparse.Namespace) -> int:
    from .store import GraphStore

    if not (Path(args.store) / "manifest.sqlite").exists():
        raise UsageError(f"{args.store} is not a kg store; make one with kg build --store {args.store}")
    missing = []
    with GraphStore(args.store) as store:
        for path in args.paths:
            removed = store.remove(path)
            if removed:
                print(f"removed {len(removed)} file(s) under {path}" if len(removed) > 1 else f"removed {removed[0]}")
            else:
                missing.append(path)
        store.commit()
        if len(missing) < len(args.paths):
            _refresh_outputs(store)
    for path in missing:
        _err(f"{path}: not in the store {args.store}")
    return 1 if missing else 0


def _refresh_outputs(store: GraphStore) -> None:
    """Rewrite the graph files built from ``store`` (they still held the removed facts); name the pages that are stale."""
    from .builder import BuildResult

    for path, kind in sorted(store.outputs().items()):
        if kind == "html":
            _err(f"{path} still shows the removed facts; redraw it with kg viz --store {store.directory} -o {path}")
        else:
            BuildResult(store=store).write(path, kind)
            print(f"rewrote {path}")
            _report_dropped(store.dropped(), Path(path).parent / DROPPED)  # the list beside it too


# kg validate ------------------------------------------------------------------
def _add_validate(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate", help="check a graph against the SHACL shapes",
        description="Check the graph (-g FILE …, default out/graph.ttl) against kg's SHACL shapes and print the "
        "findings; exit 1 on violations. -o report.ttl (or .nt, .jsonld …) writes the SHACL validation report as RDF.",
    )  # fmt: skip
    _add_graph(parser, positional=True)
    parser.add_argument("--shapes", help="another shapes file to use instead of kg's")
    parser.add_argument(
        "--pyshacl", action="store_true", help="check with pyshacl, the reference (slow: minutes on 100,000 triples)"
    )
    _add_output(
        parser, "the report", "text, or an RDF format for the SHACL report graph (default: by the -o suffix, else text)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    parser.set_defaults(run=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    from .feedback import Feedback
    from .query import reads_named_graphs
    from .rdfio import load_graph, load_store
    from .validate import format_report, validate

    fmt = _text_or_rdf(args)
    feedback = Feedback.for_terminal(quiet=args.quiet)
    try:
        shapes = load_graph(args.shapes) if args.shapes else None
        data: Graph | pyoxigraph.Store
        with feedback.stage(f"read {_graph_name(args)}"):
            if args.pyshacl:
                data, union = load_graph(args.graph, format=args.input_format), False
            else:
                data = load_store(args.graph, format=args.input_format)
                union = reads_named_graphs(data)
        with feedback.stage("SHACL check" + (" (pyshacl)" if args.pyshacl else "")) as update:
            result = validate(
                data, shapes=shapes, union=union, engine="pyshacl" if args.pyshacl else "auto", progress=update
            )
    finally:
        feedback.close()
    if fmt == "text":
        _emit(args, format_report(result) + "\n")
    else:
        _emit(args, result.report_graph.serialize(format=fmt.rdflib, encoding="utf-8"))
        if args.output != "-":
            print(
                f"wrote the SHACL report to {args.output}: "
                + ("conforms" if result.conforms else f"{len(result.errors)} violation(s)")
            )
    return 0 if result.conforms else 1


def _add_output(parser: argparse.ArgumentParser, what: str, formats: str | None = None) -> None:
    """``-o FILE`` (``-`` for standard output, the default) and, with ``formats``, ``--format``."""
    parser.add_argument(
        "-o", "--output", default="-", metavar="FILE", help=f"write {what} to FILE (default: -, standard output)"
    )
    if formats:
        parser.add_argument("--format", metavar="FORMAT", help=formats)


def _text_or_rdf(args: argparse.Namespace) -> Literal["text"] | Format:
    """``text`` or the RDF :class:`~kg.rdfio.Format` of ``--format`` or the ``-o`` suffix."""
    from .rdfio import Format, guess_format, rdf_format

    if args.format:
        return "text" if args.format.lower() in ("text", "txt", "table") else rdf_format(args.format)
    known = guess_format(args.output)
    return known if isinstance(known, Format) else "text"


def _emit(args: argparse.Namespace, data: str | bytes) -> None:
    """Write a command's output to ``-o`` (standard output for ``-``), a file atomically."""
    from .rdfio import write_output

    if args.output == "-" and isinstance(data, str):
        sys.stdout.write(data)
        return
    write_output(args.output, data)


# kg eval ----------------------------------------------------------------------
def _add_eval(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "eval",
        help="precision, recall and F1 against gold annotations",
        description="Build each gold article of DIR (NAME.json beside NAME.txt) and print P/R/F1 per "
        "entity type, per relation and for metrics, then the misses and false positives.",
    )
    parser.add_argument(
        "--gold",
        required=True,
        action="append",
        help="folder of gold .json files (and their .txt articles); give it again for one table over several sets",
    )
    parser.add_argument("inputs", nargs="*", help="read the articles from these files instead (matched by file name)")
    parser.add_argument("--summary", action="store_true", help="print only the table")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON (one object per set)")
    _add_output(parser, "the scores")
    parser.set_defaults(run=_run_eval)


def _run_eval(args: argparse.Namespace) -> int:
    import json

    from .evaluate import evaluate, format_report, format_sets, report_json

    if len(args.gold) > 1 and args.inputs:
        raise UsageError("give the articles to read (inputs) with a single --gold folder")
    reports = {Path(folder).name or str(folder): evaluate(folder, args.inputs or None) for folder in args.gold}
    if args.json or Path(args.output).suffix.lower() == ".json":
        summary = {name: report_json(report) for name, report in reports.items()}
        text = json.dumps(summary if len(reports) > 1 else next(iter(summary.values())), ensure_ascii=False, indent=2)
    elif len(reports) > 1:
        text = format_sets(reports)
    else:
        text = format_report(next(iter(reports.values())), details=not args.summary)
    _emit(args, text + "\n")
    return 0


# kg query ---------------------------------------------------------------------
def _results_name(text: str) -> str:
    """A results or RDF format name as typed → its canonical name (``ttl`` → ``turtle``)."""
    from .rdfio import rdf_format, result_format

    try:
        return result_format(text).name
    except UsageError:
        pass
    try:
        return rdf_format(text).name
    except UsageError:
        raise argparse.ArgumentTypeError(
            f"unknown format {text!r}; choose table, json, xml, csv, tsv, or an RDF format for CONSTRUCT (turtle, nt, nquads, trig, json-ld)"
        ) from None


def _add_query(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "query",
        help="run SPARQL on a graph: a query, a .rq file or a bundled query by name",
        description="Run a SPARQL query on GRAPH (default out/graph.ttl) with Oxigraph and print the "
        "results. QUERY is SPARQL text or the NAME of a bundled query (see --list). The usual "
        "prefixes (kg, kgr, park, enterprise, policy, person, place …, rdf, rdfs, xsd, skos, qudt, unit, org, prov, schema) are predeclared.",
    )
    parser.add_argument("query", nargs="?", help="SPARQL text, or the name of a bundled query")
    parser.add_argument("-f", "--file", help="read the query from this .rq file; - reads it from standard input")
    _add_graph(parser)
    parser.add_argument(
        "--format",
        type=_results_name,
        metavar="FORMAT",
        help="table, json, xml, csv, tsv for SELECT/ASK; turtle, nt, json-ld, xml, trig, nquads for CONSTRUCT/DESCRIBE "
        "(default: by the -o suffix, else table)",
    )
    parser.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="write the results to FILE, format by its suffix (default: -, standard output)",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind ?NAME to VALUE (a string; <…> for an IRI); repeatable",
    )
    parser.add_argument("--list", action="store_true", help="list the bundled queries and their parameters")
    parser.add_argument(
        "--engine", default="oxigraph", choices=["oxigraph", "rdflib"], help="query engine (default: oxigraph)"
    )
    parser.add_argument(
        "--max-width", type=int, default=60, help="widest table cell in columns, 0 for no limit (default: 60)"
    )
    parser.set_defaults(run=_run_query)


#: Largest query file ``kg query -f`` reads.
_MAX_QUERY_FILE = 1 << 20


def _read_query_file(path: str) -> str:
    """The text of a query file, read with a size bound (``-f /dev/zero`` ends with a message)."""
    from .errors import InputError

    try:
        if path == "-":
            data = sys.stdin.buffer.read(_MAX_QUERY_FILE + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(_MAX_QUERY_FILE + 1)
    except OSError as error:
        raise InputError(path, f"cannot read the query: {error.strerror or error}") from None
    if len(data) > _MAX_QUERY_FILE:
        raise InputError(
            path, f"larger than {_MAX_QUERY_FILE >> 20} MB; is this a query file? (a query is usually a few KB)"
        )
    if b"\0" in data:
        raise InputError(path, "holds NUL bytes: a binary file, not a SPARQL query")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text (byte {error.start}); save the query as UTF-8") from None


def _query_pieces(args: argparse.Namespace, sparql: str | None, bindings: dict) -> list[str]:
    """Run the query of ``kg query`` and serialise its results (in a child process, see below)."""
    from .query import run, run_bundled

    if sparql is None:
        results = run_bundled(args.source, args.query, bindings=bindings, engine=args.engine)
    else:
        results = run(args.source, sparql, bindings=bindings, engine=args.engine)
    text = results.serialize(args.format, max_width=args.max_width)
    return [text if text.endswith("\n") else text + "\n"]


def _recover_store(graph: object) -> None:
    """Put a store cut short right here, before a child process reads it: opening RocksDB for
    writing in a forked child can wait forever on the parent's background threads."""
    from .store import is_store, open_store

    if isinstance(graph, (str, os.PathLike)) and is_store(graph):
        open_store(graph).close()


def _run_query(args: argparse.Namespace) -> int:
    import re

    from .errors import InputError, QueryError
    from .query import describe_bundled, parse_param
    from .sandbox import isolated

    if args.list:
        print(describe_bundled())
        return 0
    if (args.query is None) == (args.file is None):
        raise UsageError("give one query: SPARQL text, -f FILE.rq, or the name of a bundled query (kg query --list)")
    bindings = dict(parse_param(text) for text in args.param)
    if args.file == "-" and "-" in args.graph:
        raise UsageError("standard input can hold the query (-f -) or the graph (-g -), not both")
    if args.format is None:
        from .rdfio import guess_format

        known = guess_format(args.output, results=True) if args.output != "-" else None
        args.format = known.name if known is not None else "table"
    try:
        if args.file:
            sparql: str | None = _read_query_file(args.file)
        elif re.fullmatch(r"[A-Za-z][\w-]*", args.query):
            sparql = None  # a bundled query
        else:
            sparql = args.query
        # Oxigraph runs in the process that calls it, and some queries crash it (a segfault, a
        # panic): a child process runs the query so that kg can say so instead of dying.
        args.source = _source(args, args.engine)  # several files or standard input: read here, once
        if args.engine == "oxigraph":
            _recover_store(args.source)
            pieces: Iterable[str] = isolated(_query_pieces, args, sparql, bindings)
        else:
            pieces = _query_pieces(args, sparql, bindings)
        if args.output == "-":
            for piece in pieces:
                sys.stdout.write(piece)
        else:
            from .rdfio import write_output

            write_output(args.output, "".join(pieces))
    except (QueryError, InputError) as error:
        if isinstance(error, InputError) and (args.file is None or getattr(error, "path", None) != args.file):
            raise  # the graph file, not the query: exit 1 as for other commands
        _err(str(error))
        return 2
    return 0


# kg serve ---------------------------------------------------------------------
def _add_serve(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve",
        help="a read-only SPARQL endpoint over a graph",
        description="Serve GRAPH (default out/graph.ttl) as a read-only SPARQL 1.1 Protocol endpoint at "
        "http://HOST:PORT/sparql (JSON, XML, CSV or TSV results by the Accept header). Ctrl-C stops it.",
    )
    _add_graph(parser)
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    parser.add_argument(
        "--public", action="store_true", help="allow a --host other machines can reach (see the README first)"
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a DNS name clients may use in the Host header (e.g. behind a reverse proxy); repeatable",
    )
    parser.add_argument("--port", type=int, default=8787, help="port; 0 picks a free one (default: 8787)")
    parser.add_argument("--timeout", type=float, default=30.0, help="query time limit in seconds (default: 30)")
    parser.add_argument(
        "--workers", type=int, default=4, help="query worker processes, each with a copy of the graph (default: 4)"
    )
    parser.add_argument("--max-result-mb", type=float, default=256, help="largest answer in MB (default: 256)")
    parser.add_argument(
        "--worker-memory-mb",
        type=float,
        default=2048,
        help="memory one query may take in its worker beyond the graph, in MB; 0 for no limit (default: 2048)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="do not log requests")
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from .serve import make_server

    server = make_server(
        _source(args),
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        quiet=args.quiet,
        public=args.public,
        allowed_hosts=args.allow_host,
        workers=args.workers,
        max_result_mb=args.max_result_mb,
        worker_memory_mb=args.worker_memory_mb,
    )
    if args.public:
        _err(
            f"warning: listening on {args.host}: anyone who can reach this machine can query the graph; "
            "there is no authentication (put a reverse proxy with TLS and a password in front)"
        )
    if not server.endpoint.sandboxed:
        _err(
            "warning: this platform cannot stop query workers from opening connections; "
            "SERVICE is refused by the query check alone"
        )
    print(f"serving {_graph_name(args)} ({server.endpoint.triples} triples) at {server.url} — Ctrl-C stops", flush=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the server as Ctrl-C does: workers and all

    import signal

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0


# kg push ----------------------------------------------------------------------
def _add_push(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "push",
        help="upload a graph to a triple store (SPARQL 1.1 Graph Store Protocol)",
        description="Upload GRAPH (default out/graph.ttl) to a store speaking the SPARQL 1.1 Graph Store "
        "HTTP Protocol, e.g. Oxigraph http://localhost:7878/store or Fuseki http://localhost:3030/DS/data. "
        "The target graph is replaced (HTTP PUT) unless --append is given (HTTP POST).",
    )
    _add_graph(parser)
    parser.add_argument("--endpoint", required=True, help="Graph Store endpoint URL")
    parser.add_argument("--graph-iri", help="named graph to write (default: the store's default graph)")
    parser.add_argument("--append", action="store_true", help="add to the graph instead of replacing it")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="time limit for the whole upload in seconds (default: 120)"
    )
    parser.add_argument(
        "--verify", action="store_true", help="count the graph's triples on the store afterwards and compare"
    )
    parser.add_argument(
        "--query-endpoint",
        metavar="URL",
        help="SPARQL query endpoint for --verify (default: beside the store, e.g. /store -> /query)",
    )
    parser.set_defaults(run=_run_push)


def _run_push(args: argparse.Namespace) -> int:
    from .push import push

    report = push(
        _source(args),
        args.endpoint,
        graph_iri=args.graph_iri,
        replace=not args.append,
        timeout=args.timeout,
        verify=args.verify,
        query_endpoint=args.query_endpoint,
    )
    counted = f"; the store counts {report.verified}" if report.verified is not None else ""
    print(f"pushed {report.triples} triples to {report.url} (HTTP {report.status}){counted}")
    return 0


# kg stats ---------------------------------------------------------------------
def _add_stats(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "stats",
        help="network measures of the entity graph: centrality, components, park–enterprise structure",
        description="Read GRAPH (default out/graph.ttl) as a network of entities (hosts, issues, achieves, "
        "locatedIn, partOf and holdsPost edges) and print counts, centrality, components and the "
        "park–enterprise bipartite structure.",
    )
    _add_graph(parser)
    parser.add_argument("--top", type=int, default=5, help="how many parks and enterprises to rank (default: 5)")
    _add_output(parser, "the measures")
    parser.set_defaults(run=_run_stats)


def _run_stats(args: argparse.Namespace) -> int:
    from .analytics import entity_graph, format_stats, graph_stats

    _emit(args, format_stats(graph_stats(entity_graph(_source(args)), top=args.top)) + "\n")
    return 0


# kg export --------------------------------------------------------------------
_NETWORK_FORMATS = ("graphml", "gexf")


def _add_export(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export",
        help="write the entity network as GraphML or GEXF (Gephi, Cytoscape)",
        description="Write the entity network of the graph (-g FILE …, default out/graph.ttl) for Gephi or "
        "Cytoscape; node labels and types are node attributes, relations are edge attributes.",
    )
    parser.add_argument(
        "--format", choices=_NETWORK_FORMATS, help="network file format (default: by the -o suffix, else graphml)"
    )
    _add_graph(parser)
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="file to write, - for standard output (default: out/graph.FORMAT)"
    )
    parser.set_defaults(run=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    import tempfile

    from .analytics import entity_graph, write_network
    from .rdfio import write_output

    suffix = Path(args.output or "").suffix.lower().lstrip(".")
    fmt = args.format or (suffix if suffix in _NETWORK_FORMATS else "graphml")
    network = entity_graph(_source(args))
    counts = f"{network.number_of_nodes()} nodes, {network.number_of_edges()} edges"
    if args.output == "-":
        with tempfile.TemporaryDirectory(prefix="kg-export-") as folder:
            write_output("-", write_network(network, fmt, Path(folder) / f"graph.{fmt}").read_bytes())
        print(f"wrote {fmt} to standard output ({counts})", file=sys.stderr)
        return 0
    target = write_network(network, fmt, args.output or f"out/graph.{fmt}")
    print(f"wrote {target} ({counts})")
    return 0


# kg viz -----------------------------------------------------------------------
def _add_viz(sub: argparse._SubParsersAction) -> None:
    from .viz import DEFAULT_DEPTH, DEFAULT_MAX_NODES

    parser = sub.add_parser(
        "viz",
        help="write the interactive HTML explorer of a graph (works offline)",
        description="Write one self-contained HTML page (no network needed) to explore GRAPH "
        "(default out/graph.ttl): search, class filters, and the evidence sentences behind every "
        "node and edge. --focus NAME draws only the neighbourhood of one entity.",
    )
    _add_graph(parser, positional=True)
    parser.add_argument(
        "-o",
        "--output",
        default="out/graph.html",
        metavar="FILE",
        help="page to write, - for standard output (default: out/graph.html)",
    )
    parser.add_argument(
        "--focus", metavar="NAME", help="draw only the neighbourhood of the entity with this name or alias"
    )
    parser.add_argument("--depth", type=int, help=f"hops around --focus to draw (default: {DEFAULT_DEPTH})")
    parser.add_argument(
        "--max-nodes",
        type=int,
        default=DEFAULT_MAX_NODES,
        help=f"draw at most this many nodes, the most connected first (default: {DEFAULT_MAX_NODES})",
    )
    parser.add_argument("--title", default="kg 知识图谱", help="page title (default: kg 知识图谱)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    parser.set_defaults(run=_run_viz)


def _run_viz(args: argparse.Namespace) -> int:
    from .feedback import Feedback
    from .query import reads_named_graphs
    from .rdfio import load_store, write_output
    from .viz import DEFAULT_DEPTH, StoreGraph, explore, render_view, write_view

    if args.depth is not None and args.focus is None:
        raise UsageError("--depth needs --focus NAME: it counts hops around that entity")
    depth = DEFAULT_DEPTH if args.depth is None else args.depth
    feedback = Feedback.for_terminal(quiet=args.quiet)
    try:
        with feedback.stage(f"read {_graph_name(args)}"):
            store = load_store(
                args.graph, format=args.input_format
            )  # Oxigraph's parser; the page reads the store directly
            graph = StoreGraph(store, union=reads_named_graphs(store))
        with feedback.stage("choose what to draw"):
            view = explore(graph, focus=args.focus, depth=depth, max_nodes=args.max_nodes)
        with feedback.stage(f"write {args.output}"):
            if args.output == "-":
                write_output("-", render_view(view, title=args.title))
            else:
                target = write_view(view, args.output, title=args.title)
    finally:
        feedback.close()
    say = (lambda line: print(line, file=sys.stderr)) if args.output == "-" else print
    say(f"wrote {'the page to standard output' if args.output == '-' else target} ({view.summary()})")
    if view.truncated and args.focus is None:
        graphs = " ".join(f"-g {name}" for name in args.graph)
        say(f"to see the rest, draw one neighbourhood: kg viz {graphs} --focus NAME --depth 2")
    return 0


# kg info ----------------------------------------------------------------------
def _add_info(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "info",
        help="versions, the word segmenter in use and where kg's data files live",
        description="Print the versions of kg, Python and the libraries kg runs on, the word segmenter "
        "in use (KG_SEGMENTER) with its dictionary, and where kg's data files and cache live.",
    )
    parser.set_defaults(run=_run_info)


def _run_info(args: argparse.Namespace) -> int:
    import platform
    from importlib import metadata, resources

    from .segment import _cache_folder, _jieba_dictionary, _resolve_backend

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    data = Path(str(resources.files("kg") / "_data"))
    rows = [
        ("kg", f"{__version__} ({Path(__file__).resolve().parent})"),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        *((name, version(name)) for name in ("rdflib", "pyoxigraph", "jieba", "rjieba", "pyshacl", "networkx")),
        ("segmenter", f"{_resolve_backend(None)} (KG_SEGMENTER={os.environ.get('KG_SEGMENTER', 'auto')})"),
        ("dictionary", f"{_jieba_dictionary()} + kg's domain lexicon"),
        ("ontology", str(data / "kg.ttl")),
        ("shapes", str(data / "shapes.ttl")),
        ("queries", str(data / "queries")),
        ("seeds", str(data / "seeds")),
        ("cache", str(_cache_folder())),
    ]
    width = max(len(name) for name, _ in rows)
    print("\n".join(f"{name + ':':<{width + 1}} {value}" for name, value in rows))
    return 0


COMMANDS: list[Adder] = [
    _add_build,
    _add_remove,
    _add_validate,
    _add_eval,
    _add_query,
    _add_serve,
    _add_push,
    _add_stats,
    _add_export,
    _add_viz,
    _add_info,
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Turn Chinese news about industrial parks into an RDF knowledge graph.",
    )
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    for name, command in sub.choices.items():
        if name not in ("info", "remove"):  # the commands that read graphs or write output
            command.epilog = GRAMMAR
            command.formatter_class = _Formatter
    return parser


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, keeping the lines of :data:`GRAMMAR` as they are written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text == GRAMMAR:
            return "\n".join(indent + line for line in text.splitlines())
        return super()._fill_text(text, width, indent)


class Terminated(KeyboardInterrupt):
    """SIGTERM (from kill, timeout, systemd, CI), handled like Ctrl-C so workers and the store stop cleanly."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kg`` with ``argv``; return the exit status."""
    import signal
    import threading

    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):  # kg alone: usage, as for any other mistake in the command line
        parser.print_help(sys.stderr)
        return 2
    handle = (
        threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    )
    if handle:
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _main(args)
    finally:
        if handle:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _main(args: argparse.Namespace) -> int:
    """Run the parsed command; errors become one line on stderr and an exit status."""
    try:
        if hasattr(args, "graph"):  # a command that reads a graph
            args.graph = _graph_source(args)
        code = int(args.run(args))
        sys.stdout.flush()  # a reader that went away shows here, not as a traceback at exit
        return code
    except UsageError as error:
        _err(str(error))
        return 2
    except KGError as error:
        _err(str(error))
        return 1
    except KeyboardInterrupt as interrupt:
        _err("interrupted; files already written are intact")
        return 143 if isinstance(interrupt, Terminated) else 130
    except BrokenPipeError:
        # The reader stopped reading (kg query … | head): end quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:
        # An output that cannot be written (-o into a file, a read-only folder …): say which and why.
        where = error.filename or ""
        _err(f"{where}: {error.strerror or error}" if where else f"cannot write: {error.strerror or error}")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
