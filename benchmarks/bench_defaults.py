"""What the default ``kg build`` costs over the bare build, on big corpora (printed, not a test).

    .venv/bin/python benchmarks/bench_defaults.py 1000 10000

For each size it makes (or reuses) ``benchmarks/results/corpus-N`` with
``benchmarks/make_corpus.py`` and runs, each in a fresh process with ``--jobs 2 --timings``:

- ``kg build`` with no other flag (graph.ttl, graph.html and the SHACL check);
- ``kg build --no-html --no-validate``;

and prints one Markdown row per size: both wall-clock times, their ratio (target ≤ 1.5), the
peak resident memory of the default build's main process (target ≤ 2 GiB), the size of
graph.html, and the time of the SHACL check and of the page as ``--timings`` reports them.
``--folder DIR`` uses a corpus folder of your own instead (one size).
"""

from __future__ import annotations

import argparse
import re
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


def run(folder: Path, out: Path, extra: list[str]) -> tuple[float, str]:
    """Wall-clock seconds and stdout of one ``kg build``; stops the benchmark if it fails."""
    started = time.perf_counter()
    done = subprocess.run([*KG, "build", str(folder), "-o", str(out), "--jobs", "2", "--timings", *extra],
                          capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 2):  # 2: the graph has violations, which is a result too
        sys.exit(f"kg build {' '.join(extra)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def stage(text: str, name: str) -> float:
    m = re.search(rf"\b{name} ([0-9.]+)s", text)
    return float(m.group(1)) if m else 0.0


def peak(text: str) -> float:
    m = re.search(r"peak ([0-9.]+) MiB here, ([0-9.]+) MiB", text)
    return max(float(m.group(1)), float(m.group(2))) if m else 0.0


def measure(label: str, folder: Path) -> str:
    """One table row for the corpus in ``folder``."""
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as temp:
        bare, bare_text = run(folder, Path(temp) / "bare", ["--no-html", "--no-validate"])
        full, full_text = run(folder, Path(temp) / "full", [])
        page = (Path(temp) / "full" / "graph.html").stat().st_size
    triples = re.search(r"triples:\s+(\d+)", full_text)
    articles = re.search(r"(\d+) article\(s\)", full_text)
    verdict = re.search(r"shapes:\s+(.*)", full_text)
    return (
        f"| {label} | {articles.group(1) if articles else '?'} | {triples.group(1) if triples else '?'} "
        f"| {full:.1f} s | {bare:.1f} s | {full / bare:.2f} | {peak(full_text):.0f} MiB | {page / 1e6:.1f} MB "
        f"| {stage(full_text, 'load'):.1f} s | {stage(full_text, 'html'):.1f} s | {stage(full_text, 'validate'):.1f} s "
        f"| {verdict.group(1) if verdict else '?'} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000], help="articles per corpus (default: 1000 10000)")
    parser.add_argument("--folder", help="measure this corpus folder instead")
    args = parser.parse_args(argv)
    print("| corpus | articles | triples | default build | --no-html --no-validate | ratio | peak memory | graph.html "
          "| load into Oxigraph | page | SHACL check | verdict |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    targets = [(args.folder, Path(args.folder))] if args.folder else [(str(n), corpus(n)) for n in args.sizes]
    for label, folder in targets:
        print(measure(label, folder), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
