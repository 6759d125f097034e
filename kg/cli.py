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
            print("shapes:    " + ("conforms" if validation.conforms else f"{len(validation.violations)} violation(s); run kg validate {target}"))
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


COMMANDS: list[Adder] = [_add_build, _add_validate, _add_eval]


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
