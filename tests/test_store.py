"""The persistent store: incremental builds, changes, removal, labels, recovery, reading back."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.builder import build_corpus
from kg.cli import main
from kg.errors import UsageError
from kg.store import GraphStore, open_graph, open_store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_95dad0ac0dd1954b.txt"
GOLD = [ROOT / "tests" / "gold" / name for name in ("changsha_jingkai_2024.txt", "chengdu_tianfu_2021.txt")]

LABELS_PER_ENTITY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX kg: <https://w3id.org/parkkg/ontology#>
SELECT ?x WHERE { VALUES ?c { kg:Park kg:Enterprise kg:Policy kg:Person kg:GovernmentBody kg:Place kg:Post }
  ?x a ?c ; rdfs:label ?l } GROUP BY ?x HAVING (COUNT(?l) != 1)"""


@pytest.fixture
def files(tmp_path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    copies = []
    for source in (SEED, *GOLD):
        shutil.copy(source, folder / source.name)
        copies.append(folder / source.name)
    return copies


def plain(paths, segmenter) -> Graph:
    return build_corpus([str(p) for p in paths], segmenter=segmenter).graph


def stored(store_dir, paths, segmenter):
    return build_corpus([str(p) for p in paths], segmenter=segmenter, store=store_dir)


def same_graph(a: Graph, b: Graph) -> bool:
    return set(a) == set(b) and isomorphic(a, b)


def assert_next_build_reads_one_file(store_dir, files, segmenter) -> None:
    """After a recovery, the next build reads only the forgotten file and ends with the whole graph."""
    result = stored(store_dir, files, segmenter)
    try:
        assert result.documents == 1
        assert same_graph(result.graph, plain(files, segmenter))
    finally:
        result.store.close()


def test_store_holds_the_graph_of_a_plain_build(tmp_path, files, segmenter):
    result = stored(tmp_path / "store", files, segmenter)
    try:
        assert result.documents == 3 and result.unchanged == 0
        assert same_graph(result.graph, plain(files, segmenter))
        assert result.triple_count() == len(result.graph)
    finally:
        result.store.close()
    assert same_graph(open_graph(tmp_path / "store"), plain(files, segmenter))


def test_store_same_input_twice_changes_nothing(tmp_path, files, segmenter):
    first = stored(tmp_path / "store", files, segmenter)
    count, quads = first.triple_count(), len(first.store)
    first.store.close()
    again = stored(tmp_path / "store", files, segmenter)
    try:
        assert again.documents == 0 and again.unchanged == 3
        assert again.triple_count() == count and len(again.store) == quads
    finally:
        again.store.close()


def test_store_adding_a_file_equals_building_all(tmp_path, files, segmenter):
    stored(tmp_path / "store", files[:2], segmenter).store.close()
    result = stored(tmp_path / "store", files, segmenter)
    try:
        assert result.documents == 1 and result.unchanged == 2
        assert same_graph(result.graph, plain(files, segmenter))
        assert not list(result.graph.query(LABELS_PER_ENTITY))
    finally:
        result.store.close()


def test_store_changed_file_replaces_its_facts(tmp_path, files, segmenter):
    stored(tmp_path / "store", files, segmenter).store.close()
    changed = files[2]
    before = {str(o) for o in open_graph(tmp_path / "store").objects()}
    changed.write_text(GOLD[1].read_text(encoding="utf-8").replace("成都", "绵阳"), encoding="utf-8")
    result = stored(tmp_path / "store", files, segmenter)
    try:
        assert result.documents == 1 and result.unchanged == 2
        graph = result.graph
        assert same_graph(graph, plain(files, segmenter))  # the old version's facts are gone
        assert not list(graph.query(LABELS_PER_ENTITY))
        after = {str(o) for o in graph.objects()}
        assert any("绵阳" in text for text in after - before)
    finally:
        result.store.close()


def test_store_remove_takes_a_file_out(tmp_path, files, segmenter):
    stored(tmp_path / "store", files, segmenter).store.close()
    with GraphStore(tmp_path / "store") as store:
        assert store.remove(files[2]) == [str(files[2].resolve())]
        assert store.remove(tmp_path / "nothing.txt") == []
        store.commit()
        graph = store.graph()
    assert same_graph(graph, plain(files[:2], segmenter))
    assert not list(graph.query(LABELS_PER_ENTITY))


class _FlushFails:
    """A store's Oxigraph whose flush fails as RocksDB's does once a compaction met a full disk."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def flush(self) -> None:
        raise OSError(28, "No space left on device")

    def __getattr__(self, name: str):
        return getattr(self.store, name)


def test_store_close_after_a_commit_does_not_flush_again(tmp_path, files, segmenter):
    """kg build commits, writes graph.ttl from the store, then closes it: a flush at the close
    that fails (RocksDB compacting what the commit wrote, on a full disk) must not turn a build
    whose store and graph.ttl are whole into a failure; a store written after its last commit
    still flushes, and says so when it cannot."""
    from kg.store import StoreError

    result = stored(tmp_path / "store", files[:2], segmenter)
    result.store.oxigraph = _FlushFails(result.store.oxigraph)
    result.store.close()  # committed by the build: nothing to flush
    with GraphStore(tmp_path / "store") as store:
        assert store.remove(files[1]) == [str(files[1].resolve())]
        store.commit()
        store.remove(files[0])
        store.oxigraph = _FlushFails(store.oxigraph)
        with pytest.raises(StoreError, match="cannot write to the store"):
            store.close()


def test_store_remove_a_folder(tmp_path, files, segmenter):
    stored(tmp_path / "store", files, segmenter).store.close()
    with GraphStore(tmp_path / "store") as store:
        assert len(store.remove(files[0].parent)) == 3
        store.commit()
        assert len(store) == 0 and store.triple_count() == 0


def test_store_one_text_in_two_files(tmp_path, files, segmenter):
    """Two files holding the same article share its graph; removing one keeps the other's facts."""
    twin = files[0].parent / "reprint.txt"
    shutil.copy(files[1], twin)
    stored(tmp_path / "store", [*files, twin], segmenter).store.close()
    with GraphStore(tmp_path / "store") as store:
        assert same_graph(store.graph(), plain([*files, twin], segmenter))
        store.remove(files[1])
        store.commit()
        assert same_graph(store.graph(), plain([files[0], files[2], twin], segmenter))


def test_store_recovers_from_an_interrupted_update(tmp_path, files, segmenter):
    stored(tmp_path / "store", files, segmenter).store.close()
    with GraphStore(tmp_path / "store") as store:
        keys = sorted(store.article_keys())
        # An article graph written but never recorded, and a recorded graph lost.
        store.oxigraph.add(
            ox.Quad(
                ox.NamedNode("urn:x"),
                ox.NamedNode("urn:p"),
                ox.Literal("stray"),
                ox.NamedNode(store.base_iri + "article/ffff"),
            )
        )
        store.oxigraph.remove_graph(ox.NamedNode(store.base_iri + f"article/{keys[0]}"))
    with GraphStore(tmp_path / "store") as store:
        assert not store.oxigraph.contains_named_graph(ox.NamedNode(store.base_iri + "article/ffff"))
        held = store.files()
        assert len(held) == 2  # the file whose graph was lost is forgotten …
        assert not list(store.graph().query(LABELS_PER_ENTITY))
    assert_next_build_reads_one_file(tmp_path / "store", files, segmenter)  # … and read again


def test_store_recovers_from_a_bulk_load_cut_short(tmp_path, files, segmenter):
    stored(tmp_path / "store", files, segmenter).store.close()
    with GraphStore(tmp_path / "store") as store:
        keys = sorted(store.article_keys())
        # The process died half-way through loading a batch that rewrote the first article:
        # its graph holds only part of its triples, and the manifest still claims it.
        graph = ox.NamedNode(store.base_iri + f"article/{keys[0]}")
        kept = list(store.oxigraph.quads_for_pattern(None, None, None, graph))[:5]
        store.oxigraph.remove_graph(graph)
        store.oxigraph.extend(kept)
        with store._db:
            store._db.execute("INSERT INTO loading VALUES (?)", (keys[0],))
    with GraphStore(tmp_path / "store") as store:
        assert not store.oxigraph.contains_named_graph(graph)  # the partial graph is gone …
        assert len(store.files()) == 2 and keys[0] not in store.article_keys()
        assert not list(store._db.execute("SELECT key FROM loading"))
    assert_next_build_reads_one_file(tmp_path / "store", files, segmenter)  # … and its file is read again


def test_store_ctrl_c_keeps_what_was_merged(tmp_path, files, segmenter):
    def stop_after_two(done, total, name, articles=0):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_corpus([str(p) for p in files], segmenter=segmenter, store=tmp_path / "store", progress=stop_after_two)
    with open_store(tmp_path / "store") as store:
        assert len(store.files()) == 2
        assert same_graph(store.graph(), plain(files[:2], segmenter))


def test_store_keeps_its_base_iri(tmp_path, files, segmenter):
    build_corpus(
        [str(files[0])], segmenter=segmenter, store=tmp_path / "store", base_iri="https://example.org/p/"
    ).store.close()
    with pytest.raises(UsageError, match=r"example\.org"):
        build_corpus([str(files[1])], segmenter=segmenter, store=tmp_path / "store", base_iri="https://other.org/")
    result = stored(tmp_path / "store", files[:2], segmenter)  # no base IRI given: the store's
    try:
        assert all(str(s).startswith("https://example.org/p/") for s in result.graph.subjects())
    finally:
        result.store.close()


def test_store_refuses_a_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(Exception, match="not a kg store"):
        GraphStore(tmp_path)


def test_store_decimals_keep_their_form(tmp_path, segmenter):
    """pyoxigraph keeps numbers by value; kg gives back the decimal form it wrote."""
    result = stored(tmp_path / "store", [SEED], segmenter)
    try:
        values = {
            str(o)
            for o in result.graph.objects(None, None)
            if getattr(o, "datatype", None) and str(o.datatype).endswith("#decimal")
        }
        assert "110000000000.0" in values
    finally:
        result.store.close()


def test_cli_build_store_then_remove(tmp_path, files, capsys):
    store = tmp_path / "store"
    out = tmp_path / "out"
    args = ["build", *map(str, files), "--store", str(store), "-o", str(out), "--no-html", "--no-validate"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    again = capsys.readouterr().out
    assert "3 unchanged" in again
    counts = [line for line in first.splitlines() if line.startswith("store:")]
    assert counts and counts == [line for line in again.splitlines() if line.startswith("store:")]
    assert main(["remove", str(files[0]), "--store", str(store)]) == 0
    assert "removed" in capsys.readouterr().out
    assert main(["remove", str(files[0]), "--store", str(store)]) == 1
    assert "not in the store" in capsys.readouterr().err
    assert (
        main(
            [
                "build",
                "--store",
                str(store),
                "-o",
                str(out),
                "--no-html",
                "--no-validate",
                "--format",
                "trig",
                str(files[1]),
            ]
        )
        == 0
    )
    assert (out / "graph.trig").exists()


@pytest.fixture(scope="module")
def built_store(tmp_path_factory) -> tuple[Path, Path]:
    """A store of the seed page and the Turtle file kg build writes from it."""
    folder = tmp_path_factory.mktemp("read")
    store, out = folder / "store", folder / "out"
    assert (
        main(
            [
                "build",
                str(SEED),
                *map(str, GOLD),
                "--store",
                str(store),
                "-o",
                str(out),
                "--no-html",
                "--no-validate",
                "-q",
            ]
        )
        == 0
    )
    return store, out / "graph.ttl"


# Each reading command, run on the written file and on the store (as --store DIR and as the
# folder given where the file goes), must print the same thing.
READ_COMMANDS = [
    ("query", ["query", "park-enterprises", "--format", "csv"], "-g"),
    ("query-rdflib", ["query", "figures", "--format", "csv", "--engine", "rdflib"], "-g"),
    ("stats", ["stats"], "-g"),
    ("validate", ["validate"], None),
]


@pytest.mark.parametrize(("name", "command", "flag"), READ_COMMANDS, ids=[c[0] for c in READ_COMMANDS])
def test_cli_reading_commands_take_a_store(built_store, capsys, name, command, flag):
    store, written = built_store

    def output(*where: str) -> str:
        assert main([*command, *where]) == 0
        return capsys.readouterr().out

    from_file = output(flag, str(written)) if flag else output(str(written))
    assert from_file.strip()
    assert output("--store", str(store)) == from_file
    assert (output(flag, str(store)) if flag else output(str(store))) == from_file


def test_cli_export_and_viz_take_a_store(built_store, tmp_path, capsys):
    store, written = built_store
    for source in (["-g", str(written)], ["--store", str(store)]):
        assert main(["export", "--format", "graphml", *source, "-o", str(tmp_path / "net.graphml")]) == 0
    from_file, from_store = capsys.readouterr().out.splitlines()
    assert from_file.partition("(")[2] == from_store.partition("(")[2]  # same node and edge counts
    assert main(["viz", "--store", str(store), "-o", str(tmp_path / "page.html")]) == 0
    assert "nodes" in capsys.readouterr().out and (tmp_path / "page.html").stat().st_size > 0


def test_serve_answers_from_a_store(built_store):
    import json
    import threading
    import urllib.parse
    import urllib.request

    from kg.serve import make_server

    store, written = built_store
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/parkkg/ontology#Enterprise> }"
    counts = []
    for source in (store, written):
        server = make_server(source, host="127.0.0.1", port=0, quiet=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"{server.url}?{urllib.parse.urlencode({'query': query})}"
            request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                counts.append(json.load(response)["results"]["bindings"][0]["n"]["value"])
        finally:
            server.shutdown()
            server.server_close()
    assert counts[0] == counts[1] != "0"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["stats", "-g", "GRAPH", "--store", "STORE"], 2, "not both"),
        (["validate", "FOLDER"], 1, "neither an RDF file nor a kg store"),
        (["query", "park-enterprises", "-g", "FOLDER"], 1, "neither an RDF file nor a kg store"),
    ],
)
def test_cli_reading_a_store_wrongly_says_why(built_store, tmp_path, capsys, args, code, message):
    store, written = built_store
    names = {"GRAPH": str(written), "STORE": str(store), "FOLDER": str(tmp_path)}
    assert main([names.get(a, a) for a in args]) == code
    assert message in capsys.readouterr().err


def test_store_refuses_a_file_name_that_is_not_utf8_and_keeps_the_rest(tmp_path, segmenter):
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.fsdecode(os.fsencode(str(folder)) + b"/\xff.txt")  # a Latin-1 name on a UTF-8 system
    shutil.copy(SEED, odd)
    shutil.copy(GOLD[0], folder / GOLD[0].name)
    result = stored(tmp_path / "store", [folder], segmenter)
    try:
        assert result.documents == 1
        assert [p.path for p in result.problems] == [odd] and "not valid UTF-8" in result.problems[0].reason
        assert result.store.remove(odd) == []
    finally:
        result.store.close()


def test_store_a_reprint_in_the_same_batch_matches_a_plain_build(tmp_path, segmenter):
    """Two copies of one article read in one batch: one article with two sources, as in memory."""
    folder = tmp_path / "in"
    folder.mkdir()
    text = GOLD[0].read_text(encoding="utf-8")
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_text(text.replace("经开区", "经开\u200b区", 1), encoding="utf-8")
    files = sorted(folder.glob("*.txt"))
    result = stored(tmp_path / "store", files, segmenter)
    try:
        assert same_graph(result.graph, plain(files, segmenter))
        result.store.remove(files[0])
        result.store.commit()
        assert same_graph(result.store.graph(), plain(files[1:], segmenter))
    finally:
        result.store.close()


# Every bundled query must give the same rows from a store as from the file kg build writes
# from the same input, and from a TriG file: the union of the per-article graphs repeated a
# fact once per article stating it (figures: 309 rows from the store, 243 from the file).
QUERIES = sorted(path.stem for path in (ROOT / "kg" / "_data" / "queries").glob("*.rq"))
SOURCES = [("--store", "store"), ("-g", "graph.trig")]


@pytest.fixture(scope="module")
def gold_builds(tmp_path_factory) -> Path:
    """tests/gold/*.txt, each also as a second article naming the same entities, built into a
    store, a Turtle file and a TriG file."""
    folder = tmp_path_factory.mktemp("gold")
    (folder / "in").mkdir()
    for source in sorted((ROOT / "tests" / "gold").glob("*.txt")):
        text = source.read_text(encoding="utf-8")
        (folder / "in" / source.name).write_text(text, encoding="utf-8")
        (folder / "in" / f"again_{source.name}").write_text(text + "\n（完）\n", encoding="utf-8")
    texts = sorted(map(str, (folder / "in").glob("*.txt")))
    common = ["--no-html", "--no-validate", "-q"]
    assert main(["build", *texts, "--store", str(folder / "store"), "-o", str(folder / "ttl"), *common]) == 0
    assert main(["build", *texts, "--format", "trig", "-o", str(folder), *common]) == 0
    return folder


def _rows(capsys, args: list[str]) -> list[str]:
    assert main(args) == 0
    return sorted(capsys.readouterr().out.splitlines())


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize(("flag", "name"), SOURCES, ids=[name for _, name in SOURCES])
def test_every_bundled_query_counts_each_fact_once(gold_builds, capsys, query, flag, name):
    from_file = _rows(capsys, ["query", query, "--format", "csv", "-g", str(gold_builds / "ttl" / "graph.ttl")])
    assert len(from_file) > 1
    assert _rows(capsys, ["query", query, "--format", "csv", flag, str(gold_builds / name)]) == from_file


@pytest.mark.parametrize(("flag", "name"), SOURCES, ids=[name for _, name in SOURCES])
def test_stats_count_each_edge_once(gold_builds, capsys, flag, name):
    def counts(args: list[str]) -> list[list[str]]:  # ties (Park 3, Place 3) may come in either order
        return [sorted(line.split(", ")) for line in _rows(capsys, args)]

    from_file = counts(["stats", "-g", str(gold_builds / "ttl" / "graph.ttl")])
    assert counts(["stats", flag, str(gold_builds / name)]) == from_file


def test_store_union_follows_changes_and_removals(tmp_path, files, segmenter):
    """A fact two articles state stays in the union while one of them does; it goes with the last."""
    twin = files[0].parent / "other.txt"
    twin.write_text(GOLD[0].read_text(encoding="utf-8").replace("长沙", "株洲"), encoding="utf-8")
    stored(tmp_path / "store", [*files, twin], segmenter).store.close()
    for gone, left in ((files[1], [files[0], files[2], twin]), (twin, [files[0], files[2]])):
        with GraphStore(tmp_path / "store") as store:
            store.remove(gone)
            store.commit()
            assert store.triple_count() == len(plain(left, segmenter))
            assert same_graph(store.graph(), plain(left, segmenter))


def test_cli_remove_rewrites_the_graph_file_built_from_the_store(tmp_path, files, segmenter, capsys):
    """After kg remove, out/graph.ttl still held the removed articles."""
    store, out = tmp_path / "store", tmp_path / "out"
    assert main(["build", *map(str, files), "--store", str(store), "-o", str(out), "--no-validate", "-q"]) == 0
    assert main(["remove", str(files[2]), "--store", str(store)]) == 0
    captured = capsys.readouterr()
    assert f"rewrote {out / 'graph.ttl'}" in captured.out and "graph.html still shows the removed facts" in captured.err
    assert same_graph(Graph().parse(out / "graph.ttl"), plain(files[:2], segmenter))
