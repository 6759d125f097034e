"""Large builds: streaming triples, worker processes and Dask give the graph of a plain build."""

from __future__ import annotations

import gc
import io
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.builder import build_corpus
from kg.cli import main
from kg.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ROOT / "seeds" / "000_95dad0ac0dd1954b.txt",
    ROOT / "tests" / "gold" / "changsha_jingkai_2024.txt",
    ROOT / "tests" / "gold" / "chengdu_tianfu_2021.txt",
    ROOT / "tests" / "gold" / "dalian_software_park_2020.txt",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """A few real files, one of them twice under another name (the same articles in two files)."""
    folder = tmp_path_factory.mktemp("corpus")
    files = []
    for source in SOURCES:
        target = folder / source.name
        shutil.copy(source, target)
        files.append(target)
    twin = folder / "zz_reprint.txt"
    shutil.copy(SOURCES[1], twin)
    files.append(twin)
    html = folder / "page.html"
    body = SOURCES[2].read_text(encoding="utf-8").split("\n")
    html.write_text(
        "<html><head><title>t</title></head><body>" + "".join(f"<p>{line}</p>" for line in body) + "</body></html>",
        encoding="utf-8",
    )
    files.append(html)
    gbk = folder / "legacy.txt"
    gbk.write_bytes(SOURCES[3].read_text(encoding="utf-8").encode("gb18030"))
    files.append(gbk)
    return files


@pytest.fixture(scope="module")
def reference(corpus, segmenter):
    """The single-process, named-graph build everything else is compared with."""
    return build_corpus([str(p) for p in corpus], segmenter=segmenter)


def same_graph(a: Graph, b: Graph) -> bool:
    return set(a) == set(b) and isomorphic(a, b)


def test_scale_union_build_equals_named_build(corpus, segmenter, reference):
    union = build_corpus([str(p) for p in corpus], segmenter=segmenter, named_graphs=False)
    assert same_graph(union.graph, reference.graph)
    assert union.triple_count() == reference.triple_count() == len(reference.graph)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("format_name", ["turtle", "nt"])
def test_scale_turtle_build_writes_the_same_graph(corpus, segmenter, reference, tmp_path, jobs, format_name):
    """Bound for Turtle (or N-Triples), the articles' own triples are written as such where they
    are made and the entity triples dumped from the store: the same graph."""
    result = build_corpus(
        [str(p) for p in corpus], segmenter=segmenter, named_graphs=False, output_format=format_name, jobs=jobs
    )
    path = result.write(tmp_path / f"graph.{format_name}", format_name)
    assert same_graph(Graph().parse(path, format=format_name), reference.graph)
    assert same_graph(result.graph, reference.graph)
    assert result.triple_count() == len(reference.graph)


def test_scale_dataset_union_is_the_graph(reference):
    dataset = reference.dataset()
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    assert same_graph(union, reference.graph)
    articles = [g for g in dataset.graphs() if "/article/" in str(g.identifier)]
    assert len(articles) == reference.articles - 2  # the reprint and the GB18030 copy share their graphs


def test_scale_every_entity_has_one_label(reference):
    rows = reference.graph.query(
        """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX kg: <https://w3id.org/parkkg/ontology#>
        SELECT ?x WHERE { VALUES ?c { kg:Park kg:Enterprise kg:Policy kg:Person kg:GovernmentBody kg:Place kg:Post }
        ?x a ?c ; rdfs:label ?l } GROUP BY ?x HAVING (COUNT(?l) != 1)"""
    )
    assert not list(rows)


@pytest.mark.parametrize("format_name, parse_as", [("turtle", "turtle"), ("nt", "nt"), ("json-ld", "json-ld")])
def test_scale_written_union_round_trips(reference, tmp_path, format_name, parse_as):
    path = reference.write(tmp_path / f"graph.{format_name}", format_name)
    assert same_graph(Graph().parse(path, format=parse_as), reference.graph)


@pytest.mark.parametrize("format_name", ["trig", "nquads"])
def test_scale_written_dataset_round_trips(reference, tmp_path, format_name):
    path = reference.write(tmp_path / f"graph.{format_name}", format_name)
    parsed = Dataset()
    parsed.parse(path, format=format_name)
    assert set(parsed.quads((None, None, None, None))) == set(reference.dataset().quads((None, None, None, None)))


def test_scale_turtle_keeps_prefixes(reference):
    out = io.BytesIO()
    reference.write_stream(out, "turtle")
    text = out.getvalue().decode()
    assert "@prefix kg: <https://w3id.org/parkkg/ontology#> ." in text
    assert "kg:Park" in text


def test_scale_parallel_build_is_isomorphic(corpus, reference):
    parallel = build_corpus([str(p) for p in corpus], jobs=2)
    assert parallel.documents == reference.documents and parallel.articles == reference.articles
    assert same_graph(parallel.graph, reference.graph)
    assert parallel.timings["extract"] > 0


def test_scale_dask_build_is_isomorphic(corpus, reference):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    )
    try:
        result = build_corpus([str(p) for p in corpus], executor="dask", scheduler=cluster.scheduler_address)
    finally:
        cluster.close()
    assert result.articles == reference.articles
    assert same_graph(result.graph, reference.graph)


def test_scale_dask_without_scheduler_is_a_usage_error(capsys):
    assert main(["build", str(SOURCES[0]), "--executor", "dask", "--no-html", "--no-validate", "-o", "unused"]) == 2
    assert "--scheduler" in capsys.readouterr().err


def test_scale_bad_files_are_reported_in_every_mode(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    for jobs in (1, 2):
        result = build_corpus([str(SOURCES[0]), str(empty), str(tmp_path / "missing.txt")], jobs=jobs)
        assert result.documents == 1
        assert [p.reason for p in result.problems] == ["no such file or folder", "the file is empty"]


def test_scale_read_source_matches_load_text(corpus):
    from kg.corpus import load_text
    from kg.parallel import read_source

    for path in corpus:
        assert read_source(str(path), path.read_bytes()) == load_text(path)[0]


def test_scale_build_keeps_no_document_text(corpus, segmenter):
    from kg.model import Document

    result = build_corpus([str(p) for p in corpus], segmenter=segmenter, named_graphs=False)
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, Document)]
    assert result.triple_count() > 0


def test_scale_labels_follow_later_articles(segmenter):
    """Adding articles after output was asked for recomputes the labels."""
    from kg.graph import GraphBuilder
    from kg.parallel import extract_bytes

    builder = GraphBuilder(named_graphs=False)
    first = extract_bytes(str(SOURCES[0]), SOURCES[0].read_bytes(), base_iri=str(builder.base), segmenter=segmenter)
    for article in first.articles:
        builder.add_facts(article)
    before = builder.triple_count()
    again = extract_bytes(str(SOURCES[1]), SOURCES[1].read_bytes(), base_iri=str(builder.base), segmenter=segmenter)
    for article in again.articles:
        builder.add_facts(article)
    both = build_corpus([str(SOURCES[0]), str(SOURCES[1])], segmenter=segmenter)
    assert builder.triple_count() > before
    assert same_graph(builder.graph(), both.graph)


def test_scale_cli_build_jobs_and_timings(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "build",
            *map(str, SOURCES),
            "-o",
            str(out),
            "--jobs",
            "2",
            "--no-html",
            "--no-validate",
            "--timings",
            "--format",
            "nt",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "timings:" in text and "extract" in text and "peak" in text
    assert len(Graph().parse(out / "graph.nt", format="nt")) > 1000


def test_scale_facts_must_match_the_builders_format(segmenter):
    """Facts made as Turtle go only to a builder bound for Turtle, and N-Triples only elsewhere."""
    from kg.graph import GraphBuilder
    from kg.parallel import extract_bytes

    facts = extract_bytes(
        str(SOURCES[0]), SOURCES[0].read_bytes(), base_iri=str(GraphBuilder().base), segmenter=segmenter
    )
    with pytest.raises(UsageError, match="turtle=True"):
        GraphBuilder(named_graphs=False, turtle=True).add_facts(facts.articles[0])


@pytest.mark.parametrize(
    ("sizes", "batches"),
    [
        ([], []),
        ([10] * 3, [1, 1, 1]),
        ([10] * 12, [1, 1, 2, 2, 3, 3]),
        (
            [10] * 300,
            [
                1,
                1,
                2,
                2,
                3,
                3,
                4,
                4,
                5,
                5,
                6,
                6,
                7,
                7,
                8,
                8,
                9,
                9,
                10,
                10,
                11,
                11,
                12,
                12,
                13,
                13,
                14,
                14,
                15,
                15,
                *[16] * 3,
                12,
            ],
        ),
        ([10] * 4 + [300_000, 10, 10], [1, 1, 2, 1, 2]),  # 256 KiB end a batch too
    ],
)
def test_scale_files_go_to_workers_in_growing_batches(sizes, batches):
    from kg.parallel import Task, _batches

    tasks = [Task(f"f{i}", b"x" * size) for i, size in enumerate(sizes)]
    made = list(_batches(iter(tasks)))
    assert [len(batch) for batch in made] == batches
    assert [task for batch in made for task in batch] == tasks


def test_scale_a_reprinted_article_is_one_article_with_two_sources(tmp_path, segmenter):
    """The same article in two files (one with an invisible character more) is one article: two
    kg:sourceFile values, the first file's headline and offsets, and the shapes hold."""
    from rdflib import Namespace

    from kg.validate import validate

    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    text = SOURCES[1].read_text(encoding="utf-8")
    first.write_text(text, encoding="utf-8")
    second.write_text(text.replace("经开区", "经开\u200b区", 1), encoding="utf-8")
    for jobs in (1, 2):
        result = build_corpus([str(first), str(second)], segmenter=segmenter, jobs=jobs)
        graph = result.graph
        kg = Namespace("https://w3id.org/parkkg/ontology#")
        articles = set(graph.subjects(kg.sourceFile, None))
        assert len(articles) == 1
        (article,) = articles
        assert {str(o) for o in graph.objects(article, kg.sourceFile)} == {str(first), str(second)}
        assert len(list(graph.objects(article, kg.headline))) == 1
        assert validate(graph).conforms
