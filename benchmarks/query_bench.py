"""Query latency on a large graph: Oxigraph (what ``kg query``/``kg serve`` use) against rdflib.

    python benchmarks/query_bench.py                 # ~1M triples, Oxigraph only
    python benchmarks/query_bench.py --rdflib        # also rdflib (parsing 1M triples takes minutes)
    python benchmarks/query_bench.py --copies 60     # ~100k triples

The large graph is the seed graph copied N times under distinct IRIs (labels kept, so the
label-filtered queries match N entities: a name parameter selects N parks, not one). Prints load
time and, for each bundled query without and with parameters, the median of a few runs; times
include turning the rows into Python objects.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.builder import build_corpus
from kg.query import bundled_queries, load_store, run_bundled

BASE = "https://w3id.org/parkkg/id/"


def big_graph(copies: int, folder: Path) -> Path:
    seed = build_corpus([ROOT / "seeds"]).graph.serialize(format="nt")
    target = folder / "big.nt"
    with target.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            out.write(seed.replace(BASE, f"{BASE}c{copy}/"))
    return target


def timed(function, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=600, help="copies of the seed graph (default 600, about 1M triples)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rdflib", action="store_true", help="also time rdflib (slow)")
    args = parser.parse_args()
    queries = bundled_queries()
    params = {"figures": {"name": "常州国家高新区"}, "park-ranking": {"indicator": "产值"}, "evidence": {"predicate": "hosts"}}
    with tempfile.TemporaryDirectory() as folder:
        path = big_graph(args.copies, Path(folder))
        started = time.perf_counter()
        store = load_store(path)
        print(f"graph: {len(store):,} triples; Oxigraph load {time.perf_counter() - started:.1f} s")
        engines = [("oxigraph", store)]
        if args.rdflib:
            from kg.validate import load_graph

            started = time.perf_counter()
            graph = load_graph(path)
            print(f"rdflib parse {time.perf_counter() - started:.1f} s")
            engines.append(("rdflib", graph))
        print(f"{'query':32} " + " ".join(f"{name:>12}" for name, _ in engines) + "   rows")
        for name in queries:
            for bindings in (None, params.get(name)):
                if bindings is None and name in params and args.copies > 1000:
                    continue
                cells, rows = [], 0
                for engine, source in engines:
                    repeat = args.repeat if engine == "oxigraph" else 1
                    seconds, results = timed(lambda s=source, n=name, b=bindings: run_bundled(s, n, bindings=b), repeat)
                    cells.append(f"{seconds * 1000:10.0f}ms")
                    rows = len(results)  # type: ignore[arg-type]
                label = name + (" " + ",".join(f"{k}={v}" for k, v in bindings.items()) if bindings else "")
                print(f"{label:32} " + " ".join(cells) + f"   {rows}")
                if bindings is None and name not in params:
                    break


if __name__ == "__main__":
    main()
