"""The ``kg`` command: a thin layer of argument parsing over the library functions.

Each sub-command is a pair: ``_add_NAME(subparsers)`` declares its options and
``_run_NAME(args) -> int`` calls the library. Errors derived from :class:`kg.errors.KGError`
become one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import KGError, UsageError
from .ontology import DEFAULT_BASE_IRI

__all__ = ["main"]

Adder = Callable[[argparse._SubParsersAction], None]


def _err(message: str) -> None:
    print(f"kg: {message}", file=sys.stderr)


# kg build ---------------------------------------------------------------------
def _add_build(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "build",
        help="read articles and write the knowledge graph (Turtle and HTML)",
        description="Read .txt/.md/.html files, folders or globs (default: ./seeds) and write "
        "OUTDIR/graph.ttl (or another --format) and OUTDIR/graph.html.",
    )
    parser.add_argument("paths", nargs="*", help="files, folders or glob patterns (default: seeds/)")
    parser.add_argument("-o", "--out", default="out", help="output folder (default: out)")
    parser.add_argument(
        "--format",
        default="turtle",
        choices=["turtle", "nt", "json-ld", "trig", "nquads"],
        help="graph format; trig and nquads keep one named graph per article (default: turtle)",
    )
    parser.add_argument("--base-iri", default=DEFAULT_BASE_IRI, help=f"namespace of instance IRIs (default: {DEFAULT_BASE_IRI})")
    parser.add_argument("--no-html", action="store_true", help="do not write graph.html")
    parser.add_argument("--no-validate", action="store_true", help="skip the SHACL check of the result")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    parser.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from .builder import build_corpus, summarize, text_progress
    from .export import SUFFIX, serialize

    show_progress = not args.quiet and len(args.paths) > 0 and _many_files(args.paths)
    result = build_corpus(args.paths or None, base_iri=args.base_iri, progress=text_progress() if show_progress else None)
    for problem in result.problems:
        _err(str(problem))
    if result.documents == 0:
        _err("nothing could be read; no graph written")
        return 1
    out = Path(args.out)
    graph = result.graph
    target = out / f"graph{SUFFIX[args.format]}"
    if args.format in ("trig", "nquads"):
        serialize(result.dataset(), args.format, target)
    else:
        serialize(graph, args.format, target)
    html_path = None
    if not args.no_html:
        from .viz import write_html

        html_path = write_html(graph, out / "graph.html")
    validation = None
    if not args.no_validate:
        from .validate import validate

        validation = validate(graph)
    if not args.quiet:
        counts = summarize(graph)
        print(f"read {result.documents} file(s), {result.articles} article(s) in {result.seconds:.2f}s")
        print("entities:  " + ", ".join(f"{k} {v}" for k, v in counts["entities"].items()))
        print("relations: " + ", ".join(f"{k} {v}" for k, v in counts["relations"].items()))
        print(f"triples:   {len(graph)}")
        if validation is not None:
            print("shapes:    " + ("conforms" if validation.conforms else f"{len(validation.errors)} violation(s); run kg validate {target}"))
        print(f"wrote {target}" + (f" and {html_path}" if html_path else ""))
    if validation is not None and not validation.conforms:
        return 2
    return 0


def _many_files(paths: Sequence[str]) -> bool:
    from .corpus import expand_paths

    files, _ = expand_paths(paths)
    return len(files) > 20


# kg validate ------------------------------------------------------------------
def _add_validate(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("validate", help="check a graph against the SHACL shapes", description="Check GRAPH (default out/graph.ttl) against kg's SHACL shapes; exit 1 on violations.")
    parser.add_argument("graph", nargs="?", default="out/graph.ttl", help="graph file (default: out/graph.ttl)")
    parser.add_argument("--shapes", help="another shapes file to use instead of kg's")
    parser.set_defaults(run=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    from .validate import format_report, load_graph, validate

    graph = load_graph(args.graph)
    shapes = load_graph(args.shapes) if args.shapes else None
    result = validate(graph, shapes=shapes)
    print(format_report(result))
    return 0 if result.conforms else 1


# kg eval ----------------------------------------------------------------------
def _add_eval(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "eval",
        help="precision, recall and F1 against gold annotations",
        description="Build each gold article of DIR (NAME.json beside NAME.txt) and print P/R/F1 per "
        "entity type, per relation and for metrics, then the misses and false positives.",
    )
    parser.add_argument("--gold", required=True, help="folder of gold .json files (and their .txt articles)")
    parser.add_argument("inputs", nargs="*", help="read the articles from these files instead (matched by file name)")
    parser.add_argument("--summary", action="store_true", help="print only the table")
    parser.set_defaults(run=_run_eval)


def _run_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_report

    report = evaluate(args.gold, args.inputs or None)
    print(format_report(report, details=not args.summary))
    return 0


# kg query ---------------------------------------------------------------------
_RESULT_FORMATS = ["table", "json", "xml", "csv", "tsv", "turtle", "nt", "json-ld"]


def _add_query(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "query",
        help="run SPARQL on a graph: a query, a .rq file or a bundled query by name",
        description="Run a SPARQL query on GRAPH (default out/graph.ttl) with Oxigraph and print the "
        "results. QUERY is SPARQL text or the NAME of a bundled query (see --list). The usual "
        "prefixes (kg, kgr, rdf, rdfs, xsd, skos, qudt, unit, org, prov, schema) are predeclared.",
    )
    parser.add_argument("query", nargs="?", help="SPARQL text, or the name of a bundled query")
    parser.add_argument("-f", "--file", help="read the query from this .rq file")
    parser.add_argument("-g", "--graph", default="out/graph.ttl", help="graph file (default: out/graph.ttl)")
    parser.add_argument("--format", default="table", choices=_RESULT_FORMATS, help="output format (default: table)")
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE",
        help="bind ?NAME to VALUE (a string; <…> for an IRI); repeatable",
    )
    parser.add_argument("--list", action="store_true", help="list the bundled queries and their parameters")
    parser.add_argument("--engine", default="oxigraph", choices=["oxigraph", "rdflib"], help="query engine (default: oxigraph)")
    parser.add_argument("--max-width", type=int, default=60, help="widest table cell in columns, 0 for no limit (default: 60)")
    parser.set_defaults(run=_run_query)


def _run_query(args: argparse.Namespace) -> int:
    import re

    from .query import describe_bundled, parse_param, run, run_bundled

    if args.list:
        print(describe_bundled())
        return 0
    if (args.query is None) == (args.file is None):
        raise UsageError("give one query: SPARQL text, -f FILE.rq, or the name of a bundled query (kg query --list)")
    bindings = dict(parse_param(text) for text in args.param)
    if args.file:
        from .errors import InputError

        try:
            text = Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(args.file, f"cannot read the query: {getattr(error, 'strerror', None) or error}") from None
        results = run(args.graph, text, bindings=bindings, engine=args.engine)
    elif re.fullmatch(r"[A-Za-z][\w-]*", args.query):
        results = run_bundled(args.graph, args.query, bindings=bindings, engine=args.engine)
    else:
        results = run(args.graph, args.query, bindings=bindings, engine=args.engine)
    text = results.serialize(args.format, max_width=args.max_width)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


# kg serve ---------------------------------------------------------------------
def _add_serve(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve",
        help="a read-only SPARQL endpoint over a graph",
        description="Serve GRAPH (default out/graph.ttl) as a read-only SPARQL 1.1 Protocol endpoint at "
        "http://HOST:PORT/sparql (JSON, XML, CSV or TSV results by the Accept header). Ctrl-C stops it.",
    )
    parser.add_argument("-g", "--graph", default="out/graph.ttl", help="graph file (default: out/graph.ttl)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8787, help="port; 0 picks a free one (default: 8787)")
    parser.add_argument("--timeout", type=float, default=30.0, help="query time limit in seconds (default: 30)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not log requests")
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from .serve import make_server

    server = make_server(args.graph, host=args.host, port=args.port, timeout=args.timeout, quiet=args.quiet)
    print(f"serving {args.graph} ({server.endpoint.triples} triples) at {server.url} — Ctrl-C stops", flush=True)
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
    parser.add_argument("-g", "--graph", default="out/graph.ttl", help="graph file (default: out/graph.ttl)")
    parser.add_argument("--endpoint", required=True, help="Graph Store endpoint URL")
    parser.add_argument("--graph-iri", help="named graph to write (default: the store's default graph)")
    parser.add_argument("--append", action="store_true", help="add to the graph instead of replacing it")
    parser.add_argument("--timeout", type=float, default=120.0, help="network time limit in seconds (default: 120)")
    parser.set_defaults(run=_run_push)


def _run_push(args: argparse.Namespace) -> int:
    from .push import push

    report = push(args.graph, args.endpoint, graph_iri=args.graph_iri, replace=not args.append, timeout=args.timeout)
    print(f"pushed {report.triples} triples to {report.url} (HTTP {report.status})")
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
    parser.add_argument("-g", "--graph", default="out/graph.ttl", help="graph file (default: out/graph.ttl)")
    parser.add_argument("--top", type=int, default=5, help="how many parks and enterprises to rank (default: 5)")
    parser.set_defaults(run=_run_stats)


def _run_stats(args: argparse.Namespace) -> int:
    from .analytics import entity_graph, format_stats, graph_stats

    print(format_stats(graph_stats(entity_graph(args.graph), top=args.top)))
    return 0


# kg export --------------------------------------------------------------------
def _add_export(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export",
        help="write the entity network as GraphML or GEXF (Gephi, Cytoscape)",
        description="Write the entity network of GRAPH (default out/graph.ttl) for Gephi or Cytoscape; "
        "node labels and types are node attributes, relations are edge attributes.",
    )
    parser.add_argument("--format", required=True, choices=["graphml", "gexf"], help="network file format")
    parser.add_argument("-g", "--graph", default="out/graph.ttl", help="graph file (default: out/graph.ttl)")
    parser.add_argument("-o", "--output", help="file to write (default: out/graph.FORMAT)")
    parser.set_defaults(run=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    from .analytics import entity_graph, write_network

    network = entity_graph(args.graph)
    target = write_network(network, args.format, args.output or f"out/graph.{args.format}")
    print(f"wrote {target} ({network.number_of_nodes()} nodes, {network.number_of_edges()} edges)")
    return 0


COMMANDS: list[Adder] = [_add_build, _add_validate, _add_eval, _add_query, _add_serve, _add_push, _add_stats, _add_export]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Turn Chinese news about industrial parks into an RDF knowledge graph.",
    )
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kg`` with ``argv``; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args))
    except UsageError as error:
        _err(str(error))
        return 2
    except KGError as error:
        _err(str(error))
        return 1
    except KeyboardInterrupt:
        _err("interrupted; files already written are intact")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
