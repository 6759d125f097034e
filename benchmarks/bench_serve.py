"""Load on ``kg serve``: many clients, one runaway query, then one huge answer.

    python benchmarks/bench_serve.py                        # 20 clients, 30 s, the seed graph
    python benchmarks/bench_serve.py --clients 5 --seconds 10 --rows 100000

Starts ``kg serve`` on a free loopback port in its own process (``out/graph.ttl`` unless
``--graph``), then:

1. ``--clients`` threads, each on one keep-alive connection, send the queries of ``MIX`` in
   turn for ``--seconds``, while one more thread keeps a runaway query (a cartesian COUNT the
   engine cannot interrupt) in flight: it holds a worker until the time limit kills it.
   Prints requests/s, p50 / p99 latency and errors (any answer but 200, or no answer) of the
   clients, and what the runaway got.
2. One request for ``--rows`` rows (CSV, read and dropped as it arrives) while the resident
   memory of the server and its workers is sampled: prints the peak of their sum and of the
   largest process, against the same figures at rest.

Only loopback traffic; every loop is bounded in time. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = "PREFIX kg: <https://w3id.org/parkkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
MIX = [
    PREFIXES + "SELECT ?park ?name WHERE { ?park a kg:Park ; rdfs:label ?name } ORDER BY ?name",
    PREFIXES
    + "SELECT ?park ?enterprise WHERE { ?p a kg:Park ; rdfs:label ?park ; kg:hosts/rdfs:label ?enterprise } LIMIT 50",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    PREFIXES + "ASK { ?p a kg:Park }",
    PREFIXES + "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)",
]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def start_server(graph: str, timeout: float, workers: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "-g", graph, "--port", "0", "--quiet",
         "--timeout", str(timeout), "--workers", str(workers)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if " at " not in line:
        process.kill()
        raise SystemExit(f"kg serve did not start: {line!r}")
    return process, line.split(" at ", 1)[1].split()[0]


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(pid: int) -> list[int]:
    """``pid`` and its children (the query workers)."""
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                pids += [int(child) for child in children.read().split()]
    except OSError:
        pass
    return pids


def memory(pid: int) -> tuple[int, int]:
    """(sum, largest) resident memory in MB of the server and its workers."""
    sizes = [rss_kb(each) for each in tree(pid)]
    return sum(sizes) // 1024, max(sizes, default=0) // 1024


def request(connection: http.client.HTTPConnection, path: str, query: str, accept: str) -> tuple[int, bytes]:
    connection.request("GET", path + "?query=" + urllib.parse.quote(query), headers={"Accept": accept})
    response = connection.getresponse()
    return response.status, response.read()


def load(url: str, clients: int, seconds: float) -> None:
    parts = urllib.parse.urlsplit(url)
    latencies: list[float] = []
    errors: list[str] = []
    runaway: list[str] = []
    end = time.monotonic() + seconds
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        turn = number
        while time.monotonic() < end:
            query = MIX[turn % len(MIX)]
            turn += 1
            started = time.perf_counter()
            try:
                status, body = request(connection, parts.path, query, "application/sparql-results+json")
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(type(error).__name__)
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{status} {body[:100].decode('utf-8', 'replace').strip()}")
        connection.close()

    def troublemaker() -> None:
        while time.monotonic() < end:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
            started = time.perf_counter()
            try:
                status = str(request(connection, parts.path, RUNAWAY, "application/sparql-results+json")[0])
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
            runaway.append(f"{status} after {time.perf_counter() - started:.1f} s")
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=troublemaker))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 180)
    wall = time.perf_counter() - started
    latencies.sort()
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else float("nan")
    print(f"{clients} clients, {seconds:g} s, one runaway query in the background")
    print(f"  requests: {len(latencies)}  ({len(latencies) / wall:.0f}/s)")
    print(f"  latency:  p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000 if latencies else 0:.0f} ms")
    print(f"  errors:   {len(errors)}" + (f"  ({'; '.join(sorted(set(errors))[:5])})" if errors else ""))
    print(f"  runaway:  {'; '.join(runaway) or 'no answer yet'}")


def big_answer(url: str, pid: int, rows: int) -> None:
    parts = urllib.parse.urlsplit(url)
    rest = memory(pid)
    peak = list(rest)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            total, largest = memory(pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)

    sampler = threading.Thread(target=sample)
    sampler.start()
    query = f"SELECT ?a ?d WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {rows}"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    started = time.perf_counter()
    connection.request("GET", parts.path + "?query=" + urllib.parse.quote(query), headers={"Accept": "text/csv"})
    response = connection.getresponse()
    size = 0
    while chunk := response.read(1 << 20):
        size += len(chunk)
    elapsed = time.perf_counter() - started
    connection.close()
    done.set()
    sampler.join(10)
    print(f"{rows:,} rows as CSV: HTTP {response.status}, {size / 1e6:.0f} MB in {elapsed:.1f} s")
    print(f"  server + workers resident: {rest[0]} MB at rest, peak {peak[0]} MB with the answer in flight")
    print(f"  largest process:           {rest[1]} MB at rest, peak {peak[1]} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", default=str(ROOT / "out" / "graph.ttl"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=30.0, help="the server's query time limit (default 30 s)")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    process, url = start_server(args.graph, args.timeout, args.workers)
    try:
        load(url, args.clients, args.seconds)
        big_answer(url, process.pid, args.rows)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


if __name__ == "__main__":
    main()
