"""End to end: the seed page built into a graph, checked with SPARQL; formats; the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.builder import build_corpus
from kg.cli import main
from kg.export import serialize

GOLD_TEXT = Path(__file__).resolve().parent / "gold" / "changsha_jingkai_2024.txt"

PREFIXES = """
PREFIX kg: <https://w3id.org/parkkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX unit: <http://qudt.org/vocab/unit/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def ask(graph: Graph, query: str) -> bool:
    return bool(graph.query(PREFIXES + query).askAnswer)


@pytest.mark.parametrize(
    "name, query",
    [
        (
            "four parks",
            'ASK { ?a rdfs:label "南昌高新区"@zh . ?b rdfs:label "稀土高新区"@zh . ?c rdfs:label "常州国家高新区"@zh . ?d rdfs:label "同翔高新城"@zh . ?a a kg:Park . ?b a kg:Park . ?c a kg:Park . ?d a kg:Park }',
        ),
        ("aliases", 'ASK { ?p a kg:Park ; rdfs:label "南昌高新区"@zh ; skos:altLabel "江西南昌高新区"@zh }'),
        ("hosts", 'ASK { ?p rdfs:label "南昌高新区"@zh ; kg:hosts/rdfs:label "江西珉轩智能科技有限公司"@zh }'),
        ("hosts short name", 'ASK { ?p rdfs:label "南昌高新区"@zh ; kg:hosts/rdfs:label "泰豪软件"@zh }'),
        (
            "hosts in 包头",
            'ASK { ?p rdfs:label "稀土高新区"@zh ; kg:hosts/rdfs:label "金力永磁(包头)科技有限公司"@zh }',
        ),
        ("park issues policy", 'ASK { ?p rdfs:label "南昌高新区"@zh ; kg:issues/rdfs:label "黄金十条"@zh }'),
        (
            "city issued, not the park",
            'ASK { ?b a kg:GovernmentBody ; rdfs:label "包头市委"@zh ; kg:issues ?x . ?x kg:issuedBy ?b . FILTER NOT EXISTS { ?park a kg:Park ; kg:issues ?x } }',
        ),
        ("part of", 'ASK { ?a rdfs:label "同翔高新城"@zh ; kg:partOf/rdfs:label "厦门火炬高新区"@zh }'),
        ("located in", 'ASK { ?a rdfs:label "南昌高新区"@zh ; kg:locatedIn/rdfs:label "南昌市"@zh }'),
        (
            "holds post",
            'ASK { ?x a kg:Person ; rdfs:label "吴前进"@zh ; kg:holdsPost ?post . ?post kg:postTitle "党工委副书记"@zh ; kg:postIn/rdfs:label "南昌高新区"@zh }',
        ),
        (
            "headline figure",
            'ASK { ?p rdfs:label "常州国家高新区"@zh ; kg:achieves ?m . ?m qudt:numericValue 110000000000.0 ; qudt:unit unit:CCY_CNY ; kg:year "2023"^^xsd:gYear ; kg:indicator ?i . FILTER(CONTAINS(STR(?i), "产值")) }',
        ),
        (
            "growth linked",
            "ASK { ?g kg:growthOf ?m ; qudt:numericValue 23.9 ; qudt:unit unit:PERCENT . ?m qudt:numericValue 110000000000.0 }",
        ),
        ("qualifier", "ASK { ?m qudt:numericValue 14000000.0 ; qudt:unit unit:CCY_CNY ; kg:qualifier kg:MoreThan }"),
        ("approximately", "ASK { ?m qudt:numericValue 50000000000.0 ; kg:qualifier kg:Approximately }"),
        (
            "article",
            'ASK { ?a a kg:Article ; kg:headline ?h ; kg:author "魏依晨" . FILTER(CONTAINS(STR(?h), "南昌高新区以硬举措")) }',
        ),
    ],
)
def test_build_seed_graph_holds(seed_graph, name, query):
    assert ask(seed_graph, query), name


def test_build_every_relation_has_provenance(seed_graph, seed_path):
    text = seed_path.read_text(encoding="utf-8")
    rows = seed_graph.query(
        PREFIXES
        + """
        SELECT ?p ?start ?end ?sentence ?sstart ?rule ?conf WHERE {
          VALUES ?p { kg:hosts kg:issues kg:achieves kg:locatedIn kg:partOf kg:holdsPost }
          ?s ?p ?o .
          ?e rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:article ?a ; kg:sentence ?sent ;
             kg:startOffset ?start ; kg:endOffset ?end ; kg:rule ?rule ; kg:confidence ?conf .
          ?sent kg:text ?sentence ; kg:startOffset ?sstart ; kg:inArticle ?a .
        }"""
    )
    rows = list(rows)
    assert rows
    for row in rows:
        start, end, sstart = int(row.start), int(row.end), int(row.sstart)
        assert text[sstart : sstart + len(str(row.sentence))] == str(row.sentence)
        assert sstart <= start < end <= sstart + len(str(row.sentence))
        assert 0 < float(row.conf) <= 1
    missing = seed_graph.query(
        PREFIXES
        + """
        SELECT ?s ?p ?o WHERE {
          VALUES ?p { kg:hosts kg:issues kg:achieves kg:locatedIn kg:partOf kg:holdsPost }
          ?s ?p ?o .
          FILTER NOT EXISTS { ?e rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
        }"""
    )
    assert not list(missing)


def test_build_every_entity_has_one_zh_label(seed_graph):
    rows = seed_graph.query(
        PREFIXES
        + """
        SELECT ?x (COUNT(?l) AS ?n) WHERE {
          VALUES ?c { kg:Park kg:Enterprise kg:Policy kg:Person kg:GovernmentBody kg:Place kg:Metric }
          ?x a ?c ; rdfs:label ?l . FILTER(LANG(?l) = "zh")
        } GROUP BY ?x HAVING (COUNT(?l) != 1)"""
    )
    assert not list(rows)


def test_build_is_deterministic(seed_path, seed_graph, segmenter):
    again = build_corpus([seed_path], segmenter=segmenter).graph
    assert isomorphic(seed_graph, again)
    assert set(seed_graph) == set(again)  # same IRIs, not just the same shape


@pytest.mark.parametrize("format_name", ["turtle", "nt", "json-ld"])
def test_build_formats_round_trip(seed_graph, tmp_path, format_name):
    path = serialize(seed_graph, format_name, tmp_path / f"graph.{format_name}")
    parsed = Graph().parse(path, format={"turtle": "turtle", "nt": "nt", "json-ld": "json-ld"}[format_name])
    assert isomorphic(parsed, seed_graph)


def test_build_trig_has_one_graph_per_article(seed_result, tmp_path):
    path = serialize(seed_result.dataset(), "trig", tmp_path / "graph.trig")
    dataset = Dataset()
    dataset.parse(path, format="trig")
    named = [g for g in dataset.graphs() if "/article/" in str(g.identifier)]
    assert len(named) == 4


def test_build_base_iri_changes_instance_iris(seed_path, segmenter):
    graph = build_corpus([seed_path], segmenter=segmenter, base_iri="https://example.org/parks/").graph
    subjects = {str(s) for s in graph.subjects()}
    assert all(s.startswith("https://example.org/parks/") for s in subjects)


def test_build_odd_names_give_valid_iris(tmp_path, segmenter):
    path = tmp_path / "odd.txt"
    path.write_text(
        '标题\n<b>"A&B" 园区</b>{x}|`^\\ 张三科技有限公司在某某高新区投资建设。\x0b某某高新区实现产值10亿元。',
        encoding="utf-8",
    )
    graph = build_corpus([path], segmenter=segmenter).graph
    text = serialize(graph, "nt")
    assert Graph().parse(data=text, format="nt")
    import pyoxigraph

    assert list(pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("format_name, suffix", [("turtle", "ttl"), ("trig", "trig"), ("nt", "nt"), ("nquads", "nq")])
def test_cli_build_output_parses_in_rdflib_whatever_the_names(tmp_path, format_name, suffix):
    """Names ending in a dot (Inc.) or holding / ~ - must still give files rdflib reads back."""
    path = tmp_path / "names.txt"
    path.write_text(
        "标题\n某某高新区引进NovaCell Therapeutics Inc.、Hoff~Tech Co.等企业，投资10亿元。", encoding="utf-8"
    )
    out = tmp_path / "out"
    assert main(["build", str(path), "-o", str(out), "--format", format_name, "--no-html", "--no-validate", "-q"]) == 0
    written = out / f"graph.{suffix}"
    parsed = Dataset().parse(written, format={"ttl": "turtle", "nq": "nquads"}.get(suffix, suffix))
    assert len(parsed) or len(list(parsed.quads()))
    assert main(["validate", str(written)]) == 0


def test_cli_build_writes_outputs_and_reports_bad_files(tmp_path, seed_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_text("", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["build", str(seed_path), str(bad), str(tmp_path / "missing.txt"), "-o", str(out), "--no-validate"])
    captured = capsys.readouterr()
    assert code == 0
    assert (out / "graph.ttl").exists() and (out / "graph.html").exists()
    assert f"{bad}: the file is empty" in captured.err
    assert "missing.txt: no such file or folder" in captured.err
    assert "Park" in captured.out and "hosts" in captured.out


def test_cli_build_timings_count_the_page_and_the_shapes(tmp_path, seed_path, capsys):
    assert main(["build", str(seed_path), "-o", str(tmp_path / "out"), "--timings"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("timings:"))
    assert " html " in line and " validate " in line


def test_cli_build_fails_when_nothing_is_readable(tmp_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_text("", encoding="utf-8")
    out = tmp_path / "out"
    (out).mkdir()
    (out / "graph.ttl").write_text("# previous output\n", encoding="utf-8")
    assert main(["build", str(bad), "-o", str(out), "--no-validate"]) == 1
    assert (out / "graph.ttl").read_text(encoding="utf-8") == "# previous output\n"  # nothing lost


def test_cli_help_documents_every_build_option(capsys):
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    text = capsys.readouterr().out
    for option in ("--out", "--format", "--base-iri", "--no-html", "--no-validate"):
        assert option in text


def test_import_kg_is_quiet_and_lazy():
    code = "import sys, kg; assert 'jieba' not in sys.modules and 'rdflib' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)


def test_build_long_names_give_valid_iris():
    from kg.resolve import iri_slug

    slug = iri_slug("南昌" * 70 + "GmbH南昌科技有限公司")
    assert len(slug) <= 120
    import re

    assert re.fullmatch(r"(?:南昌)+-[0-9a-f]{16}", slug)  # readable head, hash of the whole


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "FILE"], "is a file, not a folder"),
        (["-o", "FILE/sub"], "is a file, not a folder"),
        (["-o", "OUT_WITH_FOLDER"], "is a folder"),
        (["--store", "FILE", "--no-output"], "is a file, not a folder"),
    ],
)
def test_cli_build_output_that_cannot_be_written_says_why(tmp_path, seed_path, capsys, args, message):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    (tmp_path / "out" / "graph.ttl").mkdir(parents=True)
    names = {"FILE": str(afile), "FILE/sub": str(afile / "sub"), "OUT_WITH_FOLDER": str(tmp_path / "out")}
    code = main(["build", str(seed_path), "--no-html", "--no-validate", "-q", *[names.get(a, a) for a in args]])
    err = capsys.readouterr().err
    assert code == 1 and message in err and "Traceback" not in err
    assert afile.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("suffix", [".ttl", ".nt"])
def test_counts_stay_after_the_builder_makes_way_for_the_full_store(suffix: str, tmp_path) -> None:
    """kg build lets the builder go once the written file is loaded for the page and the check."""
    from pathlib import Path

    from kg.builder import build_corpus

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    result = build_corpus([seeds], named_graphs=False, output_format="turtle" if suffix == ".ttl" else "nt")
    target = result.write(tmp_path / f"graph{suffix}", "turtle" if suffix == ".ttl" else "nt")
    before = (result.summary(), result.triple_count(), len(result.graph))
    result._graph = None
    store, union = result.full_store(target)
    assert result.builder is None and not union
    assert (result.summary(), result.triple_count(), len(result.graph)) == before
    assert len(store) == before[1]


@pytest.mark.parametrize("suffix", [".ttl", ".nt"])
def test_a_queryable_build_holds_the_whole_graph_without_reading_the_file(suffix: str, tmp_path) -> None:
    """With ``queryable`` the articles are loaded into the builder's store as they are merged:
    the file written is the same, and the store's graphs together are exactly the graph in it
    (what the page and the SHACL check read), before and after the spool is let go."""
    from pathlib import Path

    from kg.builder import build_corpus
    from kg.rdfio import load_graph
    from kg.validate import validate

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    format_name = "turtle" if suffix == ".ttl" else "nt"
    plain = build_corpus([seeds], named_graphs=False, output_format=format_name)
    result = build_corpus([seeds], named_graphs=False, output_format=format_name, queryable=True)
    written = result.write(tmp_path / f"graph{suffix}", format_name)
    assert written.read_bytes() == plain.write(tmp_path / f"plain{suffix}", format_name).read_bytes()
    on_disk = load_graph(written)
    assert result.triple_count() == len(on_disk) == plain.triple_count()
    store, union = result.full_store(written)
    assert union and result.builder is not None and store is result.builder.store()
    whole = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)}
    assert len(whole) == len(on_disk) == len(store)  # no triple in two graphs
    assert isomorphic(result.graph, on_disk)  # read from the store once the spool is gone
    assert result.summary() == plain.summary() and result.triple_count() == len(on_disk)
    assert validate(store, union=True).conforms and validate(store, union=True, engine="pyshacl").conforms


@pytest.mark.parametrize("quiet", [["-q"], []], ids=["quiet", "verbose"])
def test_cli_build_says_when_the_shapes_reject_the_graph(tmp_path, seed_path, capsys, monkeypatch, quiet):
    """Exit 2 with a line naming the violations, with -q too (it printed nothing)."""
    from types import SimpleNamespace

    import kg.validate

    rejected = SimpleNamespace(conforms=False, errors=["startOffset 391 > endOffset 390"])
    monkeypatch.setattr(kg.validate, "validate", lambda *args, **kwargs: rejected)
    assert main(["build", str(seed_path), "-o", str(tmp_path), "--no-html", *quiet]) == 2
    captured = capsys.readouterr()
    assert "1 violation" in captured.out + captured.err and "kg validate" in captured.out + captured.err


def test_cli_build_folder_into_itself_twice_reads_the_same_articles(tmp_path, seed_path, capsys):
    """The second run must not read its own graph.html, nor README.md, as an article."""
    import shutil

    shutil.copy(seed_path, tmp_path / seed_path.name)
    (tmp_path / "README.md").write_text("# 说明\n常州国家高新区实现工业产值1100亿元。", encoding="utf-8")
    reads = []
    for _ in range(2):
        assert main(["build", str(tmp_path), "-o", str(tmp_path), "--no-validate"]) == 0
        out = capsys.readouterr().out
        reads.append({line.split()[0]: line for line in out.splitlines() if line.startswith(("read ", "skipped "))})
    assert reads[0]["read"].startswith("read 1 file(s)") and reads[1]["read"].startswith("read 1 file(s)")
    assert "README.md (not an article)" in reads[0]["skipped"] and "graph.html (a page kg wrote)" in reads[1]["skipped"]


MARKDOWN = """# 常州国家高新区新能源产业加速发展

**常州国家高新区**新能源汽车及核心零部件产业实现工业产值1100亿元，同比增长23.9%。
[理想汽车常州基地](https://example.com/lixiang)落户常州国家高新区，总投资50亿元。
"""
BUILD_MODES = [["--jobs", "1"], ["--jobs", "2"], ["--store", "STORE"]]


@pytest.mark.parametrize("mode", BUILD_MODES, ids=["jobs1", "jobs2", "store"])
def test_cli_build_blanks_markdown_in_every_mode(tmp_path, mode):
    """The worker path read .md files without blanking the markup (** and the link target stayed)."""
    source = tmp_path / "notes.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    out = tmp_path / "out"
    mode = [str(tmp_path / "store") if arg == "STORE" else arg for arg in mode]
    assert (
        main(["build", str(source), *mode, "-o", str(out), "--format", "nt", "--no-html", "--no-validate", "-q"]) == 0
    )
    graph = Graph().parse(out / "graph.nt", format="nt")
    texts = [str(o) for s, p, o in graph if str(p).endswith("#text")]
    assert texts and any("常州国家高新区" in text for text in texts)
    assert not any("**" in text or "https://" in text or text.lstrip().startswith("#") for text in texts)


# (first build, second build, whether graph.html is there after the second)
STALE_PAGES = [
    ([], ["--no-html"], False),  # the page of the first build would sit beside the new graph
    ([], ["--no-html", "--no-output"], True),  # nothing new written: the pair stays as it was
    ([], [], True),
]


@pytest.mark.parametrize(("first", "second", "page"), STALE_PAGES)
def test_cli_build_no_html_leaves_no_stale_page(tmp_path, seed_path, capsys, first, second, page):
    out = tmp_path / "out"
    assert main(["build", str(seed_path), "-o", str(out), "--no-validate", *first]) == 0
    assert (out / "graph.html").exists()
    assert main(["build", str(GOLD_TEXT), "-o", str(out), "--no-validate", *second]) == 0
    assert (out / "graph.html").exists() == page
    assert ("removed " + str(out / "graph.html")) in capsys.readouterr().out or page


def test_cli_build_no_html_keeps_a_page_it_did_not_write(tmp_path, seed_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.html").write_text("<html><body>mine</body></html>", encoding="utf-8")
    assert main(["build", str(seed_path), "-o", str(out), "--no-validate", "--no-html"]) == 0
    assert (out / "graph.html").exists() and "not written by this build" in capsys.readouterr().err


def _page(copies: int) -> str:
    """A newspaper page holding the same bylined article ``copies`` times."""
    lines = GOLD_TEXT.read_text(encoding="utf-8").strip().splitlines()
    article = "长沙经开区动态\n◎本报记者 张三\n" + "\n".join(lines[1:]) + "\n"
    return "\n".join([article] * copies)


@pytest.mark.parametrize("copies", [2, 3])
@pytest.mark.parametrize("store", [False, True], ids=["memory", "store"])
def test_cli_build_the_same_article_twice_in_a_file_counts_once(tmp_path, capsys, copies, store):
    """kg:sourceFile was written once per copy, and the summary counted 490 triples for 488."""
    page = tmp_path / "page.txt"
    page.write_text(_page(copies), encoding="utf-8")
    out = tmp_path / "out"
    where = ["--store", str(tmp_path / "store")] if store else []
    assert main(["build", str(page), *where, "-o", str(out), "--format", "nt", "--no-html"]) == 0
    summary = capsys.readouterr().out
    lines = (out / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines))
    assert sum("#sourceFile>" in line for line in lines) == len(
        {line.split()[0] for line in lines if "#sourceFile>" in line}
    )
    assert "shapes:    conforms" in summary
    if not store:
        assert f"triples:   {len(lines)}" in summary


def test_build_drops_facts_the_shapes_would_reject_and_says_which(tmp_path, monkeypatch, capsys):
    """A planted relation whose evidence ends before it starts and a figure that is no number:
    the graph leaves both out and conforms, stderr says so in a line, dropped.tsv lists them
    with the reason; a build with nothing dropped removes that list."""
    import dataclasses
    from decimal import Decimal

    import kg.pipeline
    from kg.ontology import QUDT

    source = Path(__file__).parent / "gold" / "changsha_jingkai_2024.txt"
    extract = kg.pipeline.extract_document
    planted = {}

    def corrupt(document, **options):
        extractions = extract(document, **options)
        first = extractions[0]
        relation, metric = first.relations[0], first.metrics[0]
        evidence = relation.evidence
        relation.evidence = dataclasses.replace(evidence, start=evidence.end + 1)
        metric.value = Decimal("NaN")
        planted.update(relation=relation, metric=metric)
        return extractions

    monkeypatch.setattr(kg.pipeline, "extract_document", corrupt)
    out = tmp_path / "out"
    assert main(["build", str(source), "-o", str(out), "--no-html"]) == 0
    captured = capsys.readouterr()
    assert (
        f"kg: dropped 2 fact(s) of 1 file(s) that the shapes would reject; which and why: {out / 'dropped.tsv'}"
        in captured.err
    )
    assert "shapes:    conforms" in captured.out
    rows = [line.split("\t") for line in (out / "dropped.tsv").read_text(encoding="utf-8").splitlines()]
    relation, metric = planted["relation"], planted["metric"]
    assert rows == [
        ["file", "fact", "reason"],
        [str(source), f"{relation.subject} {relation.predicate} {relation.object}", rows[1][2]],
        [
            str(source),
            f"{metric.subject} achieves {metric.indicator} {metric.surface}",
            "its value NaN is not a finite number",
        ],
    ]
    assert rows[1][2].startswith("its evidence would have startOffset ") and "> endOffset" in rows[1][2]
    graph = Graph().parse(out / "graph.ttl")
    assert not any("NaN" in str(value) for value in graph.objects(None, QUDT.numericValue))
    monkeypatch.setattr(kg.pipeline, "extract_document", extract)
    assert main(["build", str(source), "-o", str(out), "--no-html", "-q"]) == 0
    assert capsys.readouterr().err == "" and not (out / "dropped.tsv").exists()
    assert len(Graph().parse(out / "graph.ttl")) > len(graph)  # the facts are back


def test_build_without_output_lists_dropped_facts_on_stderr(tmp_path, monkeypatch, capsys):
    import kg.pipeline

    source = Path(__file__).parent / "gold" / "changsha_jingkai_2024.txt"
    extract = kg.pipeline.extract_document

    def corrupt(document, **options):
        extractions = extract(document, **options)
        extractions[0].relations[0].evidence.sentence = 10_000
        return extractions

    monkeypatch.setattr(kg.pipeline, "extract_document", corrupt)
    store = tmp_path / "store"
    assert main(["build", str(source), "--store", str(store), "--no-output", "--no-html", "-q"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "kg: dropped 1 fact(s) of 1 file(s) that the shapes would reject:"
    assert lines[1].startswith(f"  {source}: ") and lines[1].endswith(
        "its evidence names sentence 10000, and the article has " + lines[1].rsplit(" ", 1)[1]
    )
    assert len(lines) == 2


def _store_build_dropping_one_fact(tmp_path: Path, monkeypatch: Any) -> tuple[Path, Path, Path, list[str], Any]:
    """A store build of one article whose first relation's evidence names a sentence the article
    lacks (so that fact is left out): (article file, store, out folder, the build's arguments,
    the real extract_document)."""
    import kg.pipeline

    source = tmp_path / "in" / "article.txt"
    source.parent.mkdir()
    source.write_text((Path(__file__).parent / "gold" / "changsha_jingkai_2024.txt").read_text(encoding="utf-8"))
    extract = kg.pipeline.extract_document

    def corrupt(document: Any, **options: Any) -> Any:
        extractions = extract(document, **options)
        extractions[0].relations[0].evidence.sentence = 10_000
        return extractions

    store, out = tmp_path / "store", tmp_path / "out"
    build = ["build", str(source), "--store", str(store), "-o", str(out), "--no-html", "--no-validate", "-q"]
    monkeypatch.setattr(kg.pipeline, "extract_document", corrupt)
    assert main(build) == 0
    return source, store, out, build, extract


def test_store_build_keeps_listing_the_dropped_facts_of_unchanged_files(tmp_path, monkeypatch, capsys):
    """dropped.tsv describes the graph beside it: a store build that skips an unchanged file
    still lists what that file's facts left out, and a file read again without them clears it."""
    import kg.pipeline

    source, _, out, build, extract = _store_build_dropping_one_fact(tmp_path, monkeypatch)
    first = (out / "dropped.tsv").read_text(encoding="utf-8").splitlines()
    assert len(first) == 2 and first[1].startswith(f"{source}\t")
    assert main(build) == 0  # unchanged: not read again, its dropped fact still left out of the graph
    assert "dropped 1 fact(s) of 1 file(s)" in capsys.readouterr().err
    assert (out / "dropped.tsv").read_text(encoding="utf-8").splitlines() == first
    monkeypatch.setattr(kg.pipeline, "extract_document", extract)
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # changed: read again
    assert main(build) == 0
    assert not (out / "dropped.tsv").exists()


def test_a_queryable_build_loading_many_small_chunks_on_its_thread_gives_the_same_graph(tmp_path, monkeypatch):
    """Chunks go to the store on a thread of their own, a few at a time: with a chunk per
    article and one pending at most, the file, the store and the labels are exactly those of
    a build that loads everything at the end; a chunk Oxigraph cannot parse fails the build."""
    import kg.graph
    from kg.builder import build_corpus
    from kg.graph import ArticleFacts, GraphBuilder

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    whole = build_corpus([seeds], named_graphs=False, output_format="turtle", queryable=True)
    expected = whole.write(tmp_path / "whole.ttl", "turtle").read_bytes()
    expected_store = set(whole.builder.store())
    monkeypatch.setattr(kg.graph, "_ARTICLE_CHUNK", 1)
    monkeypatch.setattr(kg.graph, "_ENTITY_CHUNK", 1)
    monkeypatch.setattr(kg.graph, "_PENDING_LOADS", 1)
    chunked = build_corpus([seeds], named_graphs=False, output_format="turtle", queryable=True)
    assert chunked.builder._loads or chunked.builder._loader is not None  # loaded on the thread
    assert chunked.write(tmp_path / "chunked.ttl", "turtle").read_bytes() == expected
    assert set(chunked.builder.store()) == expected_store
    chunked.builder.close()
    assert chunked.builder._loader is None

    builder = GraphBuilder(named_graphs=False, turtle=True, queryable=True)
    broken = ArticleFacts(key="broken", source="broken.txt", article_nt="", entity_nt="",
                          names=(), posts=(), article_ttl=b"<no closing bracket", article_triples=1)  # fmt: skip
    builder.add_facts(broken)
    for _ in range(2):  # and again: the store is not to be read as if that chunk were in it
        with pytest.raises(SyntaxError):
            builder.store()


def test_a_store_from_before_the_dropped_facts_were_kept_reads_its_files_again(tmp_path, monkeypatch, capsys):
    """A schema 2 store (no record of the facts left out) is read as it is, and its next build
    reads every file again, so dropped.tsv lists what they leave out."""
    import sqlite3

    _, store, out, build, _ = _store_build_dropping_one_fact(tmp_path, monkeypatch)
    with sqlite3.connect(store / "manifest.sqlite") as db:  # as kg left it before: no rows, schema 2
        db.execute("DELETE FROM dropped")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
    db.close()
    (out / "dropped.tsv").unlink()
    capsys.readouterr()
    assert main(["query", "--store", str(store), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]) == 0
    assert capsys.readouterr().err == ""
    assert main(build) == 0
    assert "dropped 1 fact(s) of 1 file(s)" in capsys.readouterr().err
    assert len((out / "dropped.tsv").read_text(encoding="utf-8").splitlines()) == 2


def test_kg_remove_rewrites_the_dropped_list_beside_the_graph_it_rewrites(tmp_path, monkeypatch, capsys):
    """Removing the file whose facts were left out rewrites the graph and clears the list beside it."""
    import kg.pipeline

    folder = tmp_path / "in"
    folder.mkdir()
    gold = Path(__file__).parent / "gold" / "changsha_jingkai_2024.txt"
    (folder / "a.txt").write_text(gold.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b.txt").write_text(
        sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    extract = kg.pipeline.extract_document

    def corrupt(document, **options):
        extractions = extract(document, **options)
        if document.path.endswith("a.txt"):
            extractions[0].relations[0].evidence.sentence = 10_000
        return extractions

    store, out = tmp_path / "store", tmp_path / "out"
    monkeypatch.setattr(kg.pipeline, "extract_document", corrupt)
    assert main(["build", str(folder), "--store", str(store), "-o", str(out), "--no-html", "--no-validate", "-q"]) == 0
    assert (out / "dropped.tsv").is_file()
    assert main(["remove", str(folder / "a.txt"), "--store", str(store)]) == 0
    assert "rewrote" in capsys.readouterr().out
    assert not (out / "dropped.tsv").exists()  # the graph rewritten holds no fact of a.txt, left out or not
