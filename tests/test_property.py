"""Every graph we emit parses (rdflib and pyoxigraph) and conforms to the shapes, whatever the text.

Hypothesis builds articles from the genre's fragments (parks, companies, figures, posts) mixed
with arbitrary Unicode, markup and control characters, and runs them through the whole build.
"""

from __future__ import annotations

import pyoxigraph
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.builder import build_corpus
from kg.export import serialize
from kg.validate import validate

PLACES = ["南昌", "包头", "常州", "厦门", "武汉", "成都", "苏州", "某某"]
ZONES = ["高新区", "经开区", "高新技术产业开发区", "综合保税区", "产业园", "软件园", "新区", "片区"]
COMPANIES = ["科技有限公司", "股份有限公司", "集团有限公司", "(集团)股份有限公司", "GmbH", "集团"]
FIGURES = ["1100亿元", "近500亿元", "1400余万元", "23.9%", "2.3个百分点", "１２０亿元", "三分之一", "超3000亩", "1.47万人", "30—50亿元"]
VERBS = ["实现产值", "同比增长", "引进了", "落户", "印发了", "出台《关于支持", "党工委副书记", "总经理", "位于", "（以下简称“"]
NASTY = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:void(0)", "\x00", "\x0b", "\ud7ff", "\u200b", "\"", "\\", "}{", "》《", "“", "”", "\n", "\t", "&amp;", "%20", ">"]

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
article = st.lists(fragment, min_size=3, max_size=40).map(lambda parts: "标题：" + "".join(parts[:3]) + "\n" + "".join(parts))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
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
