"""Every graph we emit parses (rdflib and pyoxigraph) and conforms to the shapes, whatever the text.

Hypothesis builds articles from the genre's fragments (parks, companies, figures, posts) mixed
with arbitrary Unicode, markup and control characters, and runs them through the whole build.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.builder import build_corpus
from kg.export import serialize
from kg.validate import validate

ROOT = Path(__file__).resolve().parent.parent

PLACES = ["南昌", "包头", "常州", "厦门", "武汉", "成都", "苏州", "某某"]
ZONES = ["高新区", "经开区", "高新技术产业开发区", "综合保税区", "产业园", "软件园", "新区", "片区"]
COMPANIES = ["科技有限公司", "股份有限公司", "集团有限公司", "(集团)股份有限公司", "GmbH", "集团"]
FIGURES = [
    "1100亿元",
    "近500亿元",
    "1400余万元",
    "23.9%",
    "2.3个百分点",
    "１２０亿元",
    "三分之一",
    "超3000亩",
    "1.47万人",
    "30—50亿元",
]
VERBS = [
    "实现产值",
    "同比增长",
    "引进了",
    "落户",
    "印发了",
    "出台《关于支持",
    "党工委副书记",
    "总经理",
    "位于",
    "（以下简称“",
]
NASTY = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:void(0)",
    "\x00",
    "\x0b",
    "\ud7ff",
    "\u200b",
    '"',
    "\\",
    "}{",
    "》《",
    "“",
    "”",
    "\n",
    "\t",
    "&amp;",
    "%20",
    ">",
]

fragment = st.one_of(
    st.sampled_from(PLACES),
    st.sampled_from(ZONES),
    st.sampled_from(COMPANIES),
    st.sampled_from(FIGURES),
    st.sampled_from(VERBS),
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6),
    st.text(alphabet="的了在和与等是为，。；：、“”《》（）", min_size=1, max_size=3),
)
article = st.lists(fragment, min_size=3, max_size=40).map(
    lambda parts: "标题：" + "".join(parts[:3]) + "\n" + "".join(parts)
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(text=article)
# A zone inside a company's name, with a control character between (an empty list once indexed).
@example(text="标题：南昌\x0b高新区\n南昌\x0b高新区科技有限公司南昌高新区")
def test_every_graph_parses_and_conforms(tmp_path_factory, segmenter, text):
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "article.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = build_corpus([path], segmenter=segmenter)
    if result.documents == 0:
        assert result.problems and str(path) in str(result.problems[0])
        return
    graph = result.graph
    turtle = serialize(graph, "turtle")
    assert len(Graph().parse(data=turtle, format="turtle")) == len(graph)
    quads = list(pyoxigraph.parse(turtle.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(graph)
    report = validate(graph)
    assert report.conforms, "\n".join(str(v) for v in report.errors)


def _check_offsets(path, graph) -> None:
    """Every sentence's offsets slice the source text to the sentence; every evidence span is in order."""
    from rdflib import URIRef

    from kg.corpus import read_document
    from kg.graph import clean_literal

    source = read_document(path).text
    kg = "https://w3id.org/parkkg/ontology#"
    start, end, text = URIRef(kg + "startOffset"), URIRef(kg + "endOffset"), URIRef(kg + "text")
    for sentence in graph.subjects(URIRef(kg + "inArticle"), None):
        first, last = int(graph.value(sentence, start)), int(graph.value(sentence, end))
        assert clean_literal(source[first:last]) == str(graph.value(sentence, text))
    for evidence in graph.subjects(URIRef(kg + "rule"), None):
        assert 0 <= int(graph.value(evidence, start)) <= int(graph.value(evidence, end)) <= len(source)


# Real-looking text: lines of the gold articles in any order (the first is the headline).
GOLD_LINES = sorted(
    {
        line.strip()
        for path in sorted(ROOT.glob("tests/gold*/*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 8
    }
)
# A figure whose subject is named after it (总投资12.5亿元的某公司): its evidence ended before it began.
FIGURE_BEFORE_SUBJECT = (
    "大庆高新区项目建设\n在宏伟产业园，总投资12.5亿元的黑龙江启明碳纤维科技有限公司二期工程已完成主体施工。"
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(article, st.lists(st.sampled_from(GOLD_LINES), min_size=2, max_size=12).map("\n".join)))
@example(text=FIGURE_BEFORE_SUBJECT)
def test_offsets_slice_the_source_and_the_graph_conforms(tmp_path_factory, segmenter, text):
    path = tmp_path_factory.mktemp("offsets") / "article.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = build_corpus([path], segmenter=segmenter)
    if result.documents == 0:
        return
    graph = result.graph
    _check_offsets(path, graph)
    report = validate(graph)
    assert report.conforms, "\n".join(str(v) for v in report.errors)


# Every text of every gold set, built as a set, gives a graph the shapes accept.
GOLD_SETS = sorted(path.name for path in ROOT.glob("tests/gold*") if path.is_dir())


@pytest.mark.parametrize("name", GOLD_SETS)
def test_every_gold_set_builds_a_conforming_graph(segmenter, name):
    folder = ROOT / "tests" / name
    texts = sorted(p for p in folder.iterdir() if p.suffix in (".txt", ".md", ".html") and p.stem != "README")
    result = build_corpus(texts, segmenter=segmenter)
    assert result.documents == len(texts) and not result.problems
    report = validate(result.graph)
    assert report.conforms, "\n".join(str(v) for v in report.errors)
