"""Benchmark ``kg build`` on a large corpus made from the real articles (not a timed test).

    .venv/bin/python benchmarks/bench_build.py 1000 10000

For each size it makes (or reuses) ``benchmarks/results/corpus-N`` with
``benchmarks/make_corpus.py``, then measures on that same text:

- ``kg build`` end to end (reading, extraction, resolution, graph, Turtle written; no HTML, no
  SHACL) as a separate process, with ``--jobs 1`` and ``--jobs 2``: wall-clock seconds,
  characters/s, the time per stage and the peak memory it reports;
- jieba's ``Tokenizer().lcut(text)`` (precise mode, HMM on) over the same texts in a fresh
  process, dictionary loading not counted, measured again right before each build (the
  machine's speed drifts), and the ratio of the two;
- the machine's own ceiling for ``--jobs 2``: jieba's segmentation of two halves of the corpus
  in two processes against one;
- triples written per second;
- the latency of a few SPARQL queries on the written graph with pyoxigraph and with rdflib;
- optionally (``--store``) a build into a persistent store, the same build again, and adding one
  new article to it.

kg runs from a copy of ``kg/`` taken at the start (``benchmarks/results/snapshot``), so that
edits made to the work tree during a long run do not change the code half-way (``--live`` runs
the work tree itself).

Figures are printed as Markdown and saved to ``benchmarks/results/bench-N.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
KG = [sys.executable, "-m", "kg.cli"]

QUERIES = {
    "count by class": """SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)""",
    "top hosting parks": """SELECT ?park (COUNT(DISTINCT ?e) AS ?n) WHERE { ?p kg:hosts ?e ; rdfs:label ?park }
        GROUP BY ?park ORDER BY DESC(?n) LIMIT 10""",
    "hosts with evidence": """SELECT ?park ?enterprise ?text WHERE {
        ?p kg:hosts ?e ; rdfs:label ?park . ?e rdfs:label ?enterprise .
        ?ev rdf:subject ?p ; rdf:predicate kg:hosts ; rdf:object ?e ; kg:sentence/kg:text ?text } LIMIT 100""",
    "one park's metrics": """SELECT ?indicator ?value ?year WHERE {
        ?p rdfs:label "南昌高新区"@zh ; kg:achieves ?m . ?m kg:indicator ?indicator ; qudt:numericValue ?value .
        OPTIONAL { ?m kg:year ?year } }""",
}
PREFIXES = """PREFIX kg: <https://w3id.org/parkkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
"""


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines():
            if line.startswith("Model name"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            memory = f"{int(handle.readline().split()[1]) / 1_048_576:.1f} GiB"
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def corpus(size: int) -> tuple[Path, list[Path], int]:
    sys.path.insert(0, str(HERE))
    from make_corpus import make_corpus

    folder = RESULTS / f"corpus-{size}"
    marker = folder / "DONE"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        files, articles, characters = make_corpus(size, folder)
        marker.write_text(json.dumps({"files": files, "articles": articles, "characters": characters}))
    info = json.loads(marker.read_text())
    return folder, sorted(folder.rglob("*.txt")), info["articles"]


LAST_CPU: list[float] = [0.0]
ENV = dict(os.environ)
CWD = [ROOT]  # `python -m` puts the working folder first on sys.path: it decides which kg runs


def snapshot() -> str:
    """Copy kg/ aside and run that copy, so edits made to the tree meanwhile do not mix in."""
    target = RESULTS / "snapshot"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "kg", target / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    ENV["PYTHONPATH"] = str(target) + os.pathsep + ENV.get("PYTHONPATH", "")
    CWD[0] = target
    sys.path.insert(0, str(target))
    return str(target)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_kg(args: list[str]) -> tuple[float, str, float]:
    """Run kg in a child process; return wall seconds, its stdout and the largest child's peak MiB.

    The CPU seconds it and its worker processes used are left in ``LAST_CPU[0]``.
    """
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run([*KG, *args], capture_output=True, text=True, cwd=CWD[0], check=False, env=ENV)
    seconds = time.perf_counter() - started
    LAST_CPU[0] = _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, done.stdout, peak


def parse_report(text: str) -> dict:
    report: dict = {}
    if match := re.search(r"^triples:\s+(\d+)", text, re.MULTILINE):
        report["triples"] = int(match.group(1))
    if match := re.search(r"^timings:\s+(.*); total ([\d.]+)s", text, re.MULTILINE):
        report["stages"] = {name: float(value) for name, value in re.findall(r"(\w+) ([\d.]+)s", match.group(1))}
        report["build seconds"] = float(match.group(2))
    if match := re.search(r"peak (\d+) MiB here, (\d+) MiB in the largest worker", text):
        report["peak MiB main"], report["peak MiB worker"] = int(match.group(1)), int(match.group(2))
    return report


def _lcut_all(paths: list[str]) -> float:
    """jieba's default segmentation of the files (dictionary loaded first, not counted): seconds."""
    import jieba

    texts = [Path(path).read_text(encoding="utf-8") for path in paths]
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    started = time.perf_counter()
    for text in texts:
        tokenizer.lcut(text)
    return time.perf_counter() - started


def jieba_rate(files: list[Path]) -> dict:
    """The reference: ``jieba.Tokenizer().lcut`` over every file, in a fresh process."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1) as pool:
        seconds = pool.submit(_lcut_all, [str(path) for path in files]).result()
    characters = sum(len(path.read_text(encoding="utf-8")) for path in files)
    return {"seconds": seconds, "characters": characters, "chars/s": characters / seconds}


def parallel_ceiling(files: list[Path]) -> dict:
    """How much faster this machine runs two processes of jieba's segmentation than one.

    The same pure-Python work kg does (dictionaries, strings, small objects), on two halves of
    up to 1,500 files: the most any ``--jobs 2`` can gain here, measured in the same run.
    """
    from concurrent.futures import ProcessPoolExecutor

    sample = [str(path) for path in files[:1500]]
    halves = [sample[0::2], sample[1::2]]
    with ProcessPoolExecutor(2) as pool:  # each half timed inside its process, dictionary loaded
        two = max(pool.map(_lcut_all, halves))
    with ProcessPoolExecutor(1) as pool:
        one = sum(pool.submit(_lcut_all, half).result() for half in halves)
    return {"one process s": one, "two processes s": two, "speed-up": one / two}


def query_latency(graph_file: Path, with_rdflib: bool) -> dict:
    import pyoxigraph as ox

    result: dict = {}
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(graph_file), format=ox.RdfFormat.TURTLE)
    result["pyoxigraph load s"] = time.perf_counter() - started
    for name, query in QUERIES.items():
        started = time.perf_counter()
        rows = list(store.query(PREFIXES + query))
        result[f"pyoxigraph {name} ms"] = (time.perf_counter() - started) * 1000
        result[f"rows {name}"] = len(rows)
    del store
    if with_rdflib:
        from rdflib import Graph

        started = time.perf_counter()
        graph = Graph().parse(graph_file, format="turtle")
        result["rdflib load s"] = time.perf_counter() - started
        for name, query in QUERIES.items():
            started = time.perf_counter()
            rows = list(graph.query(PREFIXES + query))
            result[f"rdflib {name} ms"] = (time.perf_counter() - started) * 1000
    return result


def bench(size: int, args: argparse.Namespace) -> dict:
    folder, files, articles = corpus(size)
    out = RESULTS / f"out-{size}"
    figures: dict = {"articles": articles, "files": len(files), "machine": machine()}
    figures["parallel ceiling"] = parallel_ceiling(files)
    for jobs in args.jobs:
        # The reference is measured right before each build: this machine's speed drifts by
        # ±20% over minutes, and a ratio is only fair between runs made close together.
        reference = figures[f"jieba before jobs {jobs}"] = jieba_rate(files)
        characters = figures["characters"] = reference["characters"]
        shutil.rmtree(out, ignore_errors=True)
        seconds, stdout, _ = run_kg(["build", str(folder), "-o", str(out), "--no-html", "--no-validate", "--jobs", str(jobs), "--timings"])
        report = parse_report(stdout)
        report["wall seconds"] = seconds
        report["cpu seconds"] = LAST_CPU[0]
        report["cpu ratio to jieba"] = LAST_CPU[0] / reference["seconds"]
        report["chars/s"] = characters / seconds
        report["articles/s"] = articles / seconds
        report["ratio to jieba"] = seconds / reference["seconds"]
        write = report.get("stages", {}).get("write")
        report["triples/s written"] = report["triples"] / write if write else None
        report["graph MiB"] = (out / "graph.ttl").stat().st_size / 1_048_576
        figures[f"jobs {jobs}"] = report
        print(f"  jobs {jobs}: {seconds:.1f}s", file=sys.stderr, flush=True)
    if len(args.jobs) > 1:
        figures["speed-up"] = figures[f"jobs {args.jobs[0]}"]["wall seconds"] / figures[f"jobs {args.jobs[-1]}"]["wall seconds"]
    figures["queries"] = query_latency(out / "graph.ttl", figures[f"jobs {args.jobs[-1]}"]["triples"] <= args.rdflib_max)
    if args.store:
        figures["store"] = bench_store(folder, size, args)
    return figures


def bench_store(folder: Path, size: int, args: argparse.Namespace) -> dict:
    store = RESULTS / f"store-{size}"
    out = RESULTS / f"store-out-{size}"
    shutil.rmtree(store, ignore_errors=True)
    jobs = str(args.jobs[-1])
    common = ["--store", str(store), "-o", str(out), "--no-html", "--no-validate", "--no-output", "--jobs", jobs, "--timings"]
    figures: dict = {}
    seconds, stdout, _ = run_kg(["build", str(folder), *common])
    figures["first build s"] = seconds
    figures["first build"] = parse_report(stdout)
    seconds, stdout, _ = run_kg(["build", str(folder), *common])
    figures["same input again s"] = seconds
    figures["same input again"] = parse_report(stdout)
    extra = RESULTS / f"extra-{size}"
    extra.mkdir(exist_ok=True)
    new = extra / "one_more.txt"
    new.write_text((ROOT / "seeds" / "000_95dad0ac0dd1954b.txt").read_text(encoding="utf-8").replace("南昌", "赣州"), encoding="utf-8")
    seconds, stdout, _ = run_kg(["build", str(new), *common[:-3], "--jobs", "1", "--timings", "-q"])
    figures["add one file s"] = seconds
    figures["add one file"] = parse_report(stdout)
    seconds, stdout, _ = run_kg(["remove", str(new), "--store", str(store)])
    figures["remove one file s"] = seconds
    return figures


def markdown(size: int, f: dict) -> str:
    lines = [f"### {f['articles']:,} articles ({f['files']:,} files, {f['characters']:,} characters)", ""]
    lines.append(
        "| | wall s | chars/s | jieba `lcut` just before, s | time ratio to jieba | CPU s (all processes) | CPU ratio to jieba "
        "| articles/s | triples | triples/s written | peak MiB (main / worker) |"
    )
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key in [k for k in f if k.startswith("jobs ")]:
        r = f[key]
        lines.append(
            f"| `--{key}` | {r['wall seconds']:.1f} | {r['chars/s']:,.0f} | {f[f'jieba before {key}']['seconds']:.1f} | "
            f"{r['ratio to jieba']:.2f} | {r['cpu seconds']:.1f} | "
            f"{r['cpu ratio to jieba']:.2f} | {r['articles/s']:.1f} | {r.get('triples', 0):,} | {r['triples/s written'] or 0:,.0f} | "
            f"{r.get('peak MiB main', 0)} / {r.get('peak MiB worker', 0)} |"
        )
    if "speed-up" in f:
        ceiling = f["parallel ceiling"]
        lines.append(
            f"\nspeed-up of --jobs 2 over --jobs 1: {f['speed-up']:.2f}× (this machine's ceiling, jieba's segmentation in two "
            f"processes against one, same run: {ceiling['speed-up']:.2f}×)"
        )
    for key in [k for k in f if k.startswith("jobs ")]:
        stages = f[key].get("stages", {})
        lines.append(f"\nstages, {key} (worker seconds summed for read/extract/triples): " + ", ".join(f"{k} {v:.1f}s" for k, v in stages.items()))
    q = f["queries"]
    lines.append("\n| query | rows | pyoxigraph ms | rdflib ms |")
    lines.append("| --- | ---: | ---: | ---: |")
    for name in QUERIES:
        rdflib = q.get(f"rdflib {name} ms")
        lines.append(f"| {name} | {q[f'rows {name}']} | {q[f'pyoxigraph {name} ms']:.1f} | {f'{rdflib:.1f}' if rdflib is not None else 'not run'} |")
    lines.append(f"\nloading graph.ttl: pyoxigraph {q['pyoxigraph load s']:.1f}s" + (f", rdflib {q['rdflib load s']:.1f}s" if "rdflib load s" in q else ""))
    if "store" in f:
        s = f["store"]
        lines.append(
            f"\nstore: first build {s['first build s']:.1f}s, same input again {s['same input again s']:.1f}s, "
            f"adding one file {s['add one file s']:.1f}s, removing it {s['remove one file s']:.1f}s (wall, process start included)"
        )
        for key in ("first build", "add one file"):
            stages = s[key].get("stages", {})
            lines.append(f"\nstore stages, {key}: " + ", ".join(f"{k} {v:.2f}s" for k, v in stages.items())
                         + f"; peak {s[key].get('peak MiB main', 0)} MiB")
    lines.append("\nmachine: " + ", ".join(f"{k} {v}" for k, v in f["machine"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000], help="corpus sizes in articles (default: 1000 10000)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to run (default: 1 2)")
    parser.add_argument("--store", action="store_true", help="also time a persistent store: build, rebuild, add one file")
    parser.add_argument("--rdflib-max", type=int, default=1_500_000, help="skip rdflib queries above this many triples")
    parser.add_argument("--live", action="store_true", help="run the kg of the work tree, not a snapshot copy of it")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    if not args.live:
        print(f"running a copy of kg/ in {snapshot()}", file=sys.stderr)
    for size in args.sizes:
        print(f"benchmarking {size} articles …", file=sys.stderr, flush=True)
        figures = bench(size, args)
        (RESULTS / f"bench-{size}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        print(markdown(size, figures), flush=True)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
