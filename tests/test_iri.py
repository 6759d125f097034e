"""Readable IRIs (scheme 2): names stay readable, IRIs stay valid, and every IRI kg shows can be
pasted back into ``--param``, a SPARQL query or ``kg viz --focus``."""

from __future__ import annotations

import contextlib
import io
import re
import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.cli import main
from kg.export import serialize
from kg.graph import GraphBuilder, bind_prefixes
from kg.ontology import DEFAULT_BASE_IRI, INSTANCE_FOLDERS, expand_iri, instance_prefixes, short_iri
from kg.query import PREFIXES, bundled_queries, load_store, parse_param, run
from kg.resolve import IRI_SCHEME, iri_slug
from kg.store import GraphStore, StoreError
from kg.viz import collect, find_entities

ID = DEFAULT_BASE_IRI
ROOT = Path(__file__).resolve().parents[1]

# RFC 3987 ipchar, less "/" inside a name: iunreserved, sub-delims, ":", "@", pct-encoded, ucschar.
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
    "\U000e1000-\U000efffd"
)
IPATH_SEGMENT = re.compile(rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@{_UCSCHAR}]|%[0-9A-F]{{2}})+")


@pytest.mark.parametrize(
    "parts, slug",
    [
        (("南昌高新区",), "南昌高新区"),
        (("金力永磁（包头）科技有限公司",), "金力永磁(包头)科技有限公司"),  # NFKC: full-width brackets
        (("《数谷“黄金十条”》",), "数谷黄金十条"),  # quotes and 《》 are not part of a name
        (("Foxconn Inc.",), "FoxconnInc%2E"),  # a final dot, which Turtle writers escape
        (("A.B.C",), "A.B.C"),
        (("a/b",), "a%2Fb"),  # "/" separates parts, so inside a name it is encoded
        (("增长50%",), "增长50%25"),
        (("a<b>c{d}e|f\\g^h`i",), "a%3Cb%3Ec%7Bd%7De%7Cf%5Cg%5Eh%60i"),
        (("x\x01y\u200bz",), "x%01y%E2%80%8Bz"),  # a control and a zero-width space
        (("私\ue000用",), "私%EE%80%80用"),  # private use is not ucschar
        (("南昌高新区", "党工委副书记"), "南昌高新区/党工委副书记"),
        (("a/b", "c"), "a%2Fb/c"),
        (("西安·高新区、一期；A&B=C",), "西安·高新区、一期;A&B=C"),
    ],
)
def test_iri_slug_keeps_names_readable(parts, slug):
    assert iri_slug(*parts) == slug
    assert all(IPATH_SEGMENT.fullmatch(segment) for segment in slug.split("/"))


def test_iri_slug_is_deterministic_and_cuts_long_names():
    long = "南昌" * 200
    slug = iri_slug(long)
    assert slug == iri_slug(long) and len(slug) <= 120 and slug.startswith("南昌南昌") and IPATH_SEGMENT.fullmatch(slug)
    assert iri_slug(long + "甲") != slug


NAMES = [
    "南昌高新区",
    "金力永磁(包头)科技有限公司",
    "金力永磁（包头）科技有限公司",
    "Foxconn Industrial Internet Co., Ltd.",
    "A.B.",
    "南昌.高新区",
    ".南昌",
    "-南昌",
    "a/b/c",
    "x y",
    'say "hi"',
    "it's",
    "50%",
    "1号园区",
    "中关村【科技】园[一期]",
    "南昌：高新区@江西",
    "【】、。！？，；：“”（）〔〕",
    "厦门~象屿#综保区?",
    "Ａ＆Ｂ＝Ｃ",
    "x\ty",
    "—— 2023 ……",
]


@pytest.fixture(scope="module")
def name_graph() -> Graph:
    builder = GraphBuilder()
    graph = Graph()
    bind_prefixes(graph)
    for name in NAMES:
        for kind in ("Park", "Enterprise"):
            graph.add((builder.entity_iri(f"{kind}:{name}"), RDFS.label, Literal(name, lang="zh")))
    graph.add((builder.post_iri("Park:南昌高新区", "党工委/副书记."), RDFS.label, Literal("post")))
    return graph


def _rdflib(data: bytes) -> set[str]:
    return {str(s) for s in Graph().parse(data=data, format="turtle").subjects()}


def _oxigraph(data: bytes) -> set[str]:
    return {t.subject.value for t in ox.parse(data, format=ox.RdfFormat.TURTLE)}


@pytest.mark.parametrize("writer", ["kg", "rdflib"])
@pytest.mark.parametrize("reader", [_rdflib, _oxigraph], ids=["rdflib", "oxigraph"])
def test_turtle_round_trips_readable_iris(name_graph, tmp_path, writer, reader):
    if writer == "kg":
        data = serialize(name_graph, "turtle", tmp_path / "names.ttl").read_bytes()
    else:
        data = name_graph.serialize(format="turtle", encoding="utf-8")
    subjects = {str(s) for s in name_graph.subjects()}
    assert reader(data) == subjects
    assert not re.search(rb"%E[0-9A-F]", data)  # no percent-encoded CJK (E4-E9 lead bytes)
    assert "park:南昌高新区".encode() in data


@pytest.mark.parametrize(
    "iri, shown",
    [
        (ID + "park/南昌高新区", "park:南昌高新区"),
        (ID + "park/A.B%2E", "park:A.B%2E"),
        (ID + "enterprise/金力永磁(包头)科技有限公司", f"<{ID}enterprise/金力永磁(包头)科技有限公司>"),
        (ID + "post/南昌高新区/副书记", f"<{ID}post/南昌高新区/副书记>"),
        (ID + "park/-x", f"<{ID}park/-x>"),
        (ID + "park/x.", f"<{ID}park/x.>"),
        (ID + "place/【】、。", "place:【】、。"),
        ("https://w3id.org/parkkg/ontology#hosts", "kg:hosts"),
        ("http://example.org/a b", "<http://example.org/a b>"),
    ],
)
def test_short_iri_is_a_pasteable_name(iri, shown):
    assert short_iri(iri, PREFIXES) == shown
    assert expand_iri(shown, PREFIXES) == iri
    if " " not in iri:  # an IRI kg can mint: the shown form works in a query, in both engines
        graph = Graph()
        graph.add((URIRef(iri), RDFS.label, Literal("x")))
        query = f"ASK {{ {shown} rdfs:label ?label }}"
        assert run(graph, query).boolean and run(graph, query, engine="oxigraph").boolean


@pytest.mark.parametrize(
    "text, term",
    [
        ("park=park:南昌高新区", URIRef(ID + "park/南昌高新区")),
        (f"park=<{ID}park/南昌高新区>", URIRef(ID + "park/南昌高新区")),
        ("e=enterprise:金力永磁\\(包头\\)", URIRef(ID + "enterprise/金力永磁(包头)")),
        ("name=南昌高新区", Literal("南昌高新区")),
        ("name=foo:bar", Literal("foo:bar")),  # not a predeclared prefix
        ("name=park:", Literal("park:")),
    ],
)
def test_param_takes_prefixed_names(text, term):
    assert parse_param(text)[1] == term


# -- Every IRI kg query shows, pasted back ------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("iri")
    assert main(["build", str(ROOT / "seeds"), "-o", str(out)]) == 0
    return out / "graph.ttl"


@pytest.fixture(scope="module")
def shown_iris(built) -> list[str]:
    """Every cell of every bundled query's table (``kg query NAME``) that writes an IRI."""
    shown: set[str] = set()
    for name in bundled_queries():
        with contextlib.redirect_stdout(io.StringIO()) as out:
            assert main(["query", name, "-g", str(built)]) == 0
        for line in out.getvalue().splitlines()[2:-1]:
            shown.update(cell.strip() for cell in line.split(" | ") if expand_iri(cell.strip(), PREFIXES))
    return sorted(shown)


def test_tables_show_every_kind_of_iri(shown_iris):
    iris = [expand_iri(text, PREFIXES) for text in shown_iris]
    assert {iri[len(ID) :].split("/")[0] for iri in iris if iri.startswith(ID)} == set(INSTANCE_FOLDERS)
    assert not any("%E" in text for text in shown_iris)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_every_shown_iri_works_in_param(built, shown_iris, engine):
    source = load_store(built) if engine == "oxigraph" else Graph().parse(built)
    ask = "ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }"
    missing = [text for text in shown_iris if not run(source, ask, bindings=dict([parse_param(f"x={text}")])).boolean]
    assert missing == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_every_shown_iri_works_pasted_into_sparql(built, shown_iris, capsys, engine):
    values = " ".join(shown_iris)
    query = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ VALUES ?x {{ {values} }} FILTER EXISTS {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }} }}"
    assert main(["query", query, "-g", str(built), "--engine", engine, "--format", "csv"]) == 0
    assert capsys.readouterr().out.split() == ["n", str(len(shown_iris))]


def test_every_shown_entity_iri_works_in_focus(built, shown_iris, tmp_path):
    data = collect(Graph().parse(built))
    entities = [text for text in shown_iris if expand_iri(text, PREFIXES) in data.entities]
    assert len(entities) > 50
    for text in entities:
        assert find_entities(data, text) == [expand_iri(text, PREFIXES)]
        assert find_entities(data, expand_iri(text, PREFIXES)) == [
            expand_iri(text, PREFIXES)
        ]  # bare, as the page shows it
    assert main(["viz", str(built), "--focus", "park:南昌高新区", "-o", str(tmp_path / "focus.html")]) == 0


def test_store_built_with_the_old_scheme_is_refused(tmp_path):
    folder = tmp_path / "store"
    GraphStore(folder).close()
    with sqlite3.connect(folder / "manifest.sqlite") as db:
        assert dict(db.execute("SELECT key, value FROM meta"))["iri_scheme"] == str(IRI_SCHEME)
        db.execute("DELETE FROM meta WHERE key = 'iri_scheme'")  # as scheme 1 left it
    db.close()
    with pytest.raises(StoreError, match=r"IRI scheme 1.*build it again"):
        GraphStore(folder)
    assert instance_prefixes()["park"] == ID + "park/"


def test_built_turtle_has_readable_iris_and_reads_back_in_both(built):
    data = built.read_bytes()
    assert not re.search(rb"%E[4-9A-F]", data)
    by_rdflib = {
        str(term) for triple in Graph().parse(data=data, format="turtle") for term in triple if isinstance(term, URIRef)
    }
    by_oxigraph = {
        term.value
        for triple in ox.parse(data, format=ox.RdfFormat.TURTLE)
        for term in triple
        if isinstance(term, ox.NamedNode)
    }
    assert by_rdflib == by_oxigraph
    assert ID + "park/南昌高新区" in by_rdflib


@pytest.mark.parametrize("jobs", [1, 2])
def test_built_turtle_writes_each_subject_once(tmp_path, jobs):
    """graph.ttl groups each subject's triples in one statement (the entities too, which every
    article adds to), with kg's prefixes."""
    out = tmp_path / "out"
    assert (
        main(["build", "-q", "--no-html", "--no-validate", "--jobs", str(jobs), "-o", str(out), str(ROOT / "seeds")])
        == 0
    )
    text = (out / "graph.ttl").read_text(encoding="utf-8")
    subjects = [
        line.split(" ", 1)[0]
        for line in text.splitlines()
        if line and not line[0].isspace() and not line.startswith("@")
    ]
    repeated = sorted({s for s in subjects if subjects.count(s) > 1})
    assert not repeated, repeated[:5]
    assert any(s.startswith("park:") for s in subjects) and any(s.startswith("enterprise:") for s in subjects)
