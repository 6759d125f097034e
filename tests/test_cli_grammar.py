"""One grammar for every command: -g FILE (repeatable, - for stdin) or --store, -o as where the
output goes (- for stdout, format by suffix unless --format), formats by their common names.

Each row is a command line, what goes to standard input, the exit status, and what must come
out: a pattern on stdout/stderr and files whose format is checked by parsing them.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.namespace import SH

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_95dad0ac0dd1954b.txt"

# Small graphs in three formats, each naming different entities (invented names).
A_TTL = """@prefix kg: <https://w3id.org/parkkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/parkkg/id/park/青川高新区> a kg:Park ; rdfs:label "青川高新区"@zh .
"""
B_NT = (
    "<https://w3id.org/parkkg/id/enterprise/鑫拓科技有限公司> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/parkkg/ontology#Enterprise> .\n"
    "<https://w3id.org/parkkg/id/enterprise/恒岳新材料> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/parkkg/ontology#Enterprise> .\n"
)
C_TRIG = """@prefix kg: <https://w3id.org/parkkg/ontology#> .
<https://example.org/g1> { <https://w3id.org/parkkg/id/park/鹿鸣产业园> a kg:Park . }
<https://example.org/g2> { <https://w3id.org/parkkg/id/park/鼎川经开区> a kg:Park . }
"""
COUNT = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type }"
CONSTRUCT = "CONSTRUCT { ?s a ?type } WHERE { ?s a ?type }"


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A folder with a.ttl, b.nt, c.trig and seed/graph.ttl (the seed article, built once)."""
    folder = tmp_path_factory.mktemp("grammar")
    (folder / "a.ttl").write_text(A_TTL, encoding="utf-8")
    (folder / "b.nt").write_text(B_NT, encoding="utf-8")
    (folder / "c.trig").write_text(C_TRIG, encoding="utf-8")
    assert main(["build", str(SEED), "-o", str(folder / "seed"), "-q", "--no-html", "--no-validate"]) == 0
    return folder


def _rdf(fmt: str):
    """A check that a file's bytes parse in ``fmt`` and hold at least one triple."""

    def check(data: bytes) -> None:
        target = Dataset() if fmt in ("nquads", "trig") else Graph()
        target.parse(data=data.decode("utf-8"), format=fmt)
        assert len(target) > 0 or sum(1 for _ in target.quads()) > 0

    check.__name__ = fmt
    return check


def _starts(prefix: str):
    def check(data: bytes) -> None:
        assert data.lstrip().startswith(prefix.encode()), data[:80]

    return check


def _report(data: bytes) -> None:
    graph = Graph().parse(data=data.decode("utf-8"), format="turtle")
    assert any(graph.subjects(predicate=None, object=SH.ValidationReport))


def _json(data: bytes) -> None:
    json.loads(data)


# (argv, stdin, exit status, stdout pattern, {file: check}); {w} is the work folder, STDOUT the
# captured standard output.
ROWS = [
    # build: -o DIR as always; -o FILE with a graph suffix is the graph file, the page beside it
    (
        ["build", "{seed}", "-o", "{w}/out1", "-q", "--no-validate"],
        None,
        0,
        r"^$",
        {"out1/graph.ttl": _rdf("turtle"), "out1/graph.html": _starts("<!DOCTYPE html>")},
    ),
    (
        ["build", "{seed}", "-o", "{w}/g.nt", "-q", "--no-validate"],
        None,
        0,
        r"^$",
        {"g.nt": _rdf("nt"), "g.html": _starts("<!DOCTYPE html>")},
    ),
    (
        ["build", "{seed}", "-o", "{w}/g.nq", "-q", "--no-validate", "--no-html"],
        None,
        0,
        r"^$",
        {"g.nq": _rdf("nquads")},
    ),
    (
        ["build", "{seed}", "-o", "{w}/g.jsonld", "-q", "--no-validate", "--no-html"],
        None,
        0,
        r"^$",
        {"g.jsonld": _rdf("json-ld")},
    ),
    (
        ["build", "{seed}", "-o", "{w}/f.ttl", "--format", "ntriples", "-q", "--no-validate", "--no-html"],
        None,
        0,
        r"^$",
        {"f.ttl": _rdf("nt")},
    ),  # --format wins over the suffix
    (
        ["build", "{seed}", "-o", "{w}/out2", "--format", "ttl", "-q", "--no-validate", "--no-html"],
        None,
        0,
        r"^$",
        {"out2/graph.ttl": _rdf("turtle")},
    ),
    (["build", "{seed}", "-o", "-", "--no-validate"], None, 0, r"@prefix kg:", {"STDOUT": _rdf("turtle")}),
    (["build", "{seed}", "--format", "rdfa"], None, 2, r"^$", {}),
    # remove works on a store only
    (["remove", "{w}/a.ttl", "--store", "{w}/nostore"], None, 2, r"^$", {}),
    # validate: the positional graph, -g, -o report.ttl, several -g, stdin
    (["validate", "{w}/seed/graph.ttl", "-q"], None, 0, r"conforms", {}),
    (
        ["validate", "-g", "{w}/seed/graph.ttl", "-q", "-o", "{w}/report.ttl"],
        None,
        0,
        r"wrote the SHACL report",
        {"report.ttl": _report},
    ),
    (
        ["validate", "-g", "-", "-q", "-o", "-", "--format", "ttl"],
        "seed/graph.ttl",
        0,
        r"sh:ValidationReport",
        {"STDOUT": _report},
    ),
    (["validate", "-g", "{w}/seed/graph.ttl", "--store", "{w}/nostore"], None, 2, r"^$", {}),
    # eval: -o FILE (JSON by its suffix)
    (
        ["eval", "--gold", "{root}/tests/gold", "{root}/tests/gold/chengdu_tianfu_2021.txt", "-o", "{w}/scores.json"],
        None,
        0,
        r"^$",
        {"scores.json": _json},
    ),
    # query: several -g are merged; - is stdin for the graph or for the query; -o by suffix
    (["query", "-g", "{w}/a.ttl", "-g", "{w}/b.nt", COUNT, "--format", "csv"], None, 0, r"^n\r?\n3\r?\n$", {}),
    (
        ["query", "-g", "{w}/a.ttl", "-g", "{w}/b.nt", "-g", "{w}/c.trig", COUNT, "--format", "tsv"],
        None,
        0,
        r"^\?n\n5\n$",
        {},
    ),
    (["query", "-g", "-", COUNT, "--format", "csv"], "a.ttl", 0, r"^n\r?\n1\r?\n$", {}),
    (["query", "-g", "-", "--input-format", "ntriples", COUNT, "--format", "csv"], "b.nt", 0, r"^n\r?\n2\r?\n$", {}),
    (["query", "-f", "-", "-g", "{w}/b.nt", "--format", "csv"], "COUNT", 0, r"^n\r?\n2\r?\n$", {}),
    (["query", "-f", "-", "-g", "-"], "COUNT", 2, r"^$", {}),
    (
        ["query", "-g", "{w}/a.ttl", "-g", "{w}/b.nt", COUNT, "-o", "{w}/r.csv"],
        None,
        0,
        r"^$",
        {"r.csv": _starts("n\r\n3")},
    ),
    (["query", "-g", "{w}/b.nt", COUNT, "-o", "{w}/r.srj"], None, 0, r"^$", {"r.srj": _json}),
    (["query", "-g", "{w}/b.nt", COUNT, "-o", "{w}/r.xml"], None, 0, r"^$", {"r.xml": _starts("<?xml")}),
    (["query", "-g", "{w}/b.nt", COUNT, "-o", "-", "--format", "json"], None, 0, r'"value": "2"', {"STDOUT": _json}),
    (
        ["query", "-g", "{w}/c.trig", CONSTRUCT, "--format", "nquads"],
        None,
        0,
        r"鹿鸣产业园",
        {"STDOUT": _rdf("nquads")},
    ),
    (["query", "-g", "{w}/c.trig", CONSTRUCT, "--format", "trig"], None, 0, r"鼎川经开区", {"STDOUT": _rdf("trig")}),
    (["query", "-g", "{w}/a.ttl", CONSTRUCT, "--format", "ttl"], None, 0, r"青川高新区", {"STDOUT": _rdf("turtle")}),
    (["query", "-g", "{w}/a.ttl", CONSTRUCT, "-o", "{w}/c.nt"], None, 0, r"^$", {"c.nt": _rdf("nt")}),
    (["query", "-g", "{w}/a.ttl", COUNT, "--format", "yaml"], None, 2, r"^$", {}),
    (["query", "-g", "-", "-g", "-", COUNT], "a.ttl", 2, r"^$", {}),
    # stats and export: -g, -o by suffix (no --format needed), - for stdout
    (["stats", "-g", "{w}/seed/graph.ttl", "-o", "{w}/stats.txt"], None, 0, r"^$", {"stats.txt": _starts("nodes ")}),
    (["stats", "-g", "-"], "seed/graph.ttl", 0, r"^nodes \d+", {}),
    (
        ["export", "-g", "{w}/seed/graph.ttl", "-o", "{w}/x.gexf"],
        None,
        0,
        r"wrote .*x\.gexf",
        {"x.gexf": _starts("<?xml")},
    ),
    (["export", "-g", "{w}/seed/graph.ttl", "-o", "{w}/x.graphml"], None, 0, r"wrote", {"x.graphml": _starts("<?xml")}),
    (["export", "-g", "{w}/seed/graph.ttl", "-o", "-", "--format", "gexf"], None, 0, r"<gexf", {}),
    # viz: the positional graph and -g; -o - writes the page to stdout
    (
        ["viz", "{w}/seed/graph.ttl", "-o", "{w}/p.html", "-q"],
        None,
        0,
        r"wrote .*p\.html",
        {"p.html": _starts("<!DOCTYPE html>")},
    ),
    (["viz", "-g", "{w}/a.ttl", "-g", "{w}/b.nt", "-o", "-", "-q"], None, 0, r"^<!DOCTYPE html>.*鑫拓科技有限公司", {}),
    # info, --version, kg alone
    (["info"], None, 0, r"^kg: ", {}),
    (["--version"], None, 0, r"^kg \d", {}),
    ([], None, 2, r"^$", {}),
]


def _fill(text: str, work: Path) -> str:
    return text.replace("{w}", str(work)).replace("{seed}", str(SEED)).replace("{root}", str(ROOT))


def _run(argv: list[str], stdin: bytes | None, monkeypatch, capsysbinary) -> tuple[int, bytes, bytes]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse: --version, usage errors
        code = int(stop.code or 0)
    out, err = capsysbinary.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, stdin, code, stdout, files", ROWS, ids=[" ".join(row[0])[:60] for row in ROWS])
def test_cli_grammar(work, monkeypatch, capsysbinary, argv, stdin, code, stdout, files):
    if stdin == "COUNT":
        data: bytes | None = COUNT.encode()
    else:
        data = (work / stdin).read_bytes() if stdin else None
    got, out, err = _run([_fill(arg, work) for arg in argv], data, monkeypatch, capsysbinary)
    assert got == code, err.decode()
    assert re.search(stdout, out.decode(), re.S), out.decode()[:500]
    for name, check in files.items():
        check(out if name == "STDOUT" else (work / name).read_bytes())


class _FakeServer:
    """Stands in for the SPARQL server: records what it was given and stops at once."""

    def __init__(self, graph, **options) -> None:
        from kg.rdfio import load_store

        store = load_store(graph) if isinstance(graph, str) else graph
        self.triples = len({(q.subject, q.predicate, q.object) for q in store})
        self.url = "http://127.0.0.1:0/sparql"
        self.endpoint = type("E", (), {"sandboxed": True, "triples": self.triples})()

    def serve_forever(self) -> None:
        raise KeyboardInterrupt

    def server_close(self) -> None:
        pass


@pytest.mark.parametrize(
    "argv, stdin, triples",
    [
        (["-g", "{w}/a.ttl"], None, 2),
        (["-g", "{w}/a.ttl", "-g", "{w}/b.nt"], None, 4),
        (["-g", "-", "-g", "{w}/c.trig"], "b.nt", 4),  # stdin by --input-format? no: Turtle reads N-Triples too
    ],
)
@pytest.mark.parametrize("command", ["serve", "push"])
def test_cli_grammar_serve_and_push_read_every_graph(work, monkeypatch, capsysbinary, command, argv, stdin, triples):
    """serve and push talk to the network: the server and the upload are replaced, the reading is real."""
    import kg.push
    import kg.serve
    from kg.push import PushReport, _payload

    monkeypatch.setattr(kg.serve, "make_server", _FakeServer)

    def fake_push(source, endpoint, **options):
        _, _, count = _payload(source)
        return PushReport(endpoint, "PUT", count, 0, 204)

    monkeypatch.setattr(kg.push, "push", fake_push)
    extra = ["--endpoint", "http://127.0.0.1:9/store"] if command == "push" else []
    data = (work / stdin).read_bytes() if stdin else None
    code, out, err = _run([command, *(_fill(a, work) for a in argv), *extra], data, monkeypatch, capsysbinary)
    assert code == 0, err.decode()
    shown = re.search(rb"(?:serving .*\(|pushed )(\d+) triples", out)
    assert shown is not None, out
    assert int(shown.group(1)) == triples


def test_cli_grammar_push_reads_a_store(work, monkeypatch, capsysbinary):
    """push --store DIR sends the store's union graph."""
    import kg.push
    from kg.push import PushReport, _payload

    store = work / "store"
    assert main(["build", str(SEED), "--store", str(store), "--no-output", "--no-html", "--no-validate", "-q"]) == 0
    capsysbinary.readouterr()
    monkeypatch.setattr(
        kg.push, "push", lambda source, endpoint, **o: PushReport(endpoint, "PUT", _payload(source)[2], 0, 204)
    )
    code, out, err = _run(
        ["push", "--store", str(store), "--endpoint", "http://127.0.0.1:9/store"], None, monkeypatch, capsysbinary
    )
    assert code == 0, err.decode()
    expected = len(Graph().parse(work / "seed" / "graph.ttl"))
    assert f"pushed {expected} triples".encode() in out
