"""What the default ``kg build`` costs over the bare build, on big corpora (printed, not a test).

    .venv/bin/python benchmarks/bench_defaults.py 1000 10000

For each size it makes (or reuses) ``benchmarks/results/corpus-N`` with
``benchmarks/make_corpus.py`` and runs, each in a fresh process with ``--timings``, once with no
``--jobs`` (the default, one process: what a new user runs) and once with ``--jobs 2``:

- ``kg build`` with no other flag (graph.ttl, graph.html and the SHACL check);
- ``kg build --no-html --no-validate``;

and prints one Markdown row per size: both wall-clock times, their ratio (target ≤ 1.5), the ratio
of their CPU seconds (the build and its workers; steadier than wall-clock time on a shared machine), the
peak resident memory of the default build's main process (target ≤ 2 GiB), the size of
graph.html, and the time of the SHACL check and of the page as ``--timings`` reports them.
``--folder DIR`` uses a corpus folder of your own instead (one size); ``--repeat N`` measures
each size N times and prints the median ratio; ``--jobs 2`` measures only that.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
KG = [sys.executable, "-m", "kg.cli"]


def corpus(size: int) -> Path:
    """``benchmarks/results/corpus-N``, made once."""
    sys.path.insert(0, str(HERE))
    from make_corpus import make_corpus

    folder = RESULTS / f"corpus-{size}"
    marker = folder / "DONE"
    if not marker.exists():
        make_corpus(size, folder)
        marker.write_text("done\n")
    return folder


def run(folder: Path, out: Path, jobs: int | None, extra: list[str]) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds (the build and its workers, user + system) and stdout of
    one ``kg build`` (``jobs`` None: no ``--jobs``, the default); stops the benchmark if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    parallel = [] if jobs is None else ["--jobs", str(jobs)]
    done = subprocess.run([*KG, "build", str(folder), "-o", str(out), *parallel, "--timings", *extra],
                          capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode not in (0, 2):  # 2: the graph has violations, which is a result too
        sys.exit(f"kg build {' '.join(extra)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, cpu, done.stdout


def stage(text: str, name: str) -> float:
    m = re.search(rf"\b{name} ([0-9.]+)s", text)
    return float(m.group(1)) if m else 0.0


def peak(text: str) -> float:
    m = re.search(r"peak ([0-9.]+) MiB here, ([0-9.]+) MiB", text)
    return max(float(m.group(1)), float(m.group(2))) if m else 0.0


def measure(label: str, folder: Path, jobs: int | None) -> tuple[str, float]:
    """One table row for the corpus in ``folder`` (the bare build, then the default one), and
    the ratio of their wall-clock times."""
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as temp:
        bare, bare_cpu, _ = run(folder, Path(temp) / "bare", jobs, ["--no-html", "--no-validate"])
        full, full_cpu, full_text = run(folder, Path(temp) / "full", jobs, [])
        page = (Path(temp) / "full" / "graph.html").stat().st_size
    triples = re.search(r"triples:\s+(\d+)", full_text)
    articles = re.search(r"(\d+) article\(s\)", full_text)
    verdict = re.search(r"shapes:\s+(.*)", full_text)
    row = (
        f"| {label} | {'no flag (1)' if jobs is None else f'--jobs {jobs}'} | {articles.group(1) if articles else '?'} | {triples.group(1) if triples else '?'} "
        f"| {full:.1f} s | {bare:.1f} s | {full / bare:.2f} | {full_cpu / bare_cpu:.2f} "
        f"| {peak(full_text):.0f} MiB | {page / 1e6:.1f} MB "
        f"| {stage(full_text, 'load'):.1f} s | {stage(full_text, 'html'):.1f} s | {stage(full_text, 'validate'):.1f} s "
        f"| {verdict.group(1) if verdict else '?'} |"
    )
    return row, full / bare


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000], help="articles per corpus (default: 1000 10000)")
    parser.add_argument("--folder", help="measure this corpus folder instead")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="measure each corpus N times, a bare and a default build after each other, and print "
                        "the median ratio too (the machine's speed drifts within minutes; default 1)")  # fmt: skip
    parser.add_argument("--jobs", type=int, action="append", metavar="N",
                        help="measure with --jobs N only (repeatable; default: no --jobs, then --jobs 2)")  # fmt: skip
    args = parser.parse_args(argv)
    settings: list[int | None] = list(args.jobs) if args.jobs else [None, 2]
    print("| corpus | jobs | articles | triples | default build | --no-html --no-validate | ratio | CPU ratio | peak memory "
          "| graph.html | load into Oxigraph | page | SHACL check | verdict |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    targets = [(args.folder, Path(args.folder))] if args.folder else [(str(n), corpus(n)) for n in args.sizes]
    medians = []
    for label, folder in targets:
        ratios: dict[int | None, list[float]] = {jobs: [] for jobs in settings}
        for _ in range(max(1, args.repeat)):
            for jobs in settings:
                row, ratio = measure(label, folder, jobs)
                ratios[jobs].append(ratio)
                print(row, flush=True)
        for jobs, found in ratios.items():
            medians.append(f"{label}, {'no --jobs' if jobs is None else f'--jobs {jobs}'}: median ratio "
                           f"{statistics.median(found):.2f} of {len(found)} ({', '.join(f'{r:.2f}' for r in found)})")  # fmt: skip
    if args.repeat > 1:
        print("\n" + "\n".join(medians))
    return 0


if __name__ == "__main__":
    sys.exit(main())
