"""The HTML explorer without a browser: what the page holds, escaping, focus and truncation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.cli import main
from kg.errors import UsageError
from kg.ontology import KG
from kg.viz import (
    LARGE_GRAPH,
    Relation,
    drawn_classes,
    drawn_relations,
    explore,
    render_html,
    render_view,
    short_label,
    write_html,
)

ID = "https://w3id.org/parkkg/id/"

#: A small park network: 13 entities, 12 drawn relations, one isolated enterprise (E3).
PARKS_TTL = """
@prefix kg: <https://w3id.org/parkkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

kgr:park/A a kg:Park ; rdfs:label "南昌高新区"@zh ; skos:altLabel "江西南昌高新区"@zh ;
    kg:hosts kgr:ent/E1, kgr:ent/E2 ; kg:issues kgr:policy/P1 ; kg:locatedIn kgr:place/city ;
    kg:achieves kgr:metric/M1, kgr:metric/M2 ; kg:mentionedIn kgr:article/1 .
kgr:park/B a kg:Park ; rdfs:label "金庐软件园"@zh ; kg:partOf kgr:park/A .
kgr:ent/E1 a kg:Enterprise ; rdfs:label "江西珉轩智能科技有限公司"@zh .
kgr:ent/E2 a kg:Enterprise ; rdfs:label "泰豪软件"@zh .
kgr:ent/E3 a kg:Enterprise ; rdfs:label "孤立企业"@zh .
kgr:policy/P1 a kg:Policy ; rdfs:label "黄金十条"@zh .
kgr:policy/P2 a kg:Policy ; rdfs:label "关于加快推进数字经济发展的若干政策措施"@zh ; kg:issuedBy kgr:park/A .
kgr:place/city a kg:Place ; rdfs:label "南昌市"@zh ; kg:locatedIn kgr:place/province .
kgr:place/province a kg:Place ; rdfs:label "江西省"@zh .
kgr:body/GB a kg:GovernmentBody ; rdfs:label "南昌高新区党工委"@zh ; kg:partOf kgr:park/A .
kgr:person/wu a kg:Person ; rdfs:label "吴前进"@zh ; kg:holdsPost kgr:post/1 .
kgr:post/1 a kg:Post ; rdfs:label "南昌高新区党工委副书记"@zh ; kg:postTitle "副书记"@zh ; kg:postIn kgr:body/GB .
kgr:metric/M1 a kg:Metric ; rdfs:label "工业产值 1100亿元 (2023)"@zh ; qudt:numericValue 110000000000.0 ;
    qudt:unit unit:CCY_CNY ; kg:indicator "工业产值"@zh ; kg:surfaceText "1100亿元" ; kg:year "2023"^^xsd:gYear ;
    kg:qualifier kg:MoreThan .
kgr:metric/M2 a kg:Metric ; rdfs:label "工业产值同比增长 23.9% (2023)"@zh ; qudt:numericValue 23.9 ;
    qudt:unit unit:PERCENT ; kg:indicator "工业产值同比增长"@zh ; kg:surfaceText "23.9%" ; kg:growthOf kgr:metric/M1 .
kgr:article/1 a kg:Article ; kg:headline "南昌高新区以硬举措提升软实力"@zh .
kgr:article/1/s3 a kg:Sentence ; kg:text "泰豪软件入驻南昌高新区。" ; kg:inArticle kgr:article/1 ;
    kg:startOffset 100 ; kg:endOffset 112 .
kgr:evidence/1 a kg:Evidence ; rdf:subject kgr:park/A ; rdf:predicate kg:hosts ; rdf:object kgr:ent/E2 ;
    kg:article kgr:article/1 ; kg:sentence kgr:article/1/s3 ; kg:startOffset 100 ; kg:endOffset 104 ;
    kg:rule "hosts.enterprise-in-park" ; kg:confidence 0.9 .
kgr:evidence/2 a kg:Evidence ; rdf:subject kgr:person/wu ; rdf:predicate kg:holdsPost ; rdf:object kgr:post/1 ;
    kg:article kgr:article/1 ; kg:sentence kgr:article/1/s3 ; kg:rule "holdsPost.title-before-name" .
"""


@pytest.fixture(scope="module")
def parks() -> Graph:
    # kgr:park/A reads better than <https://…/park/A>, but Turtle forbids "/" in prefixed names.
    text = re.sub(r"kgr:([\w/]+)", lambda m: f"<{ID}{m.group(1)}>", PARKS_TTL)
    return Graph().parse(data=text, format="turtle")


def page_data(page: str) -> dict:
    """The JSON the page script reads, parsed back."""
    match = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', page, re.DOTALL)
    assert match is not None
    return json.loads(match.group(1))


def names(view_or_data) -> set[str]:
    if isinstance(view_or_data, dict):
        return {n["n"] for n in view_or_data["nodes"]}
    return {view_or_data.data.entities[iri].name for iri in view_or_data.nodes}


# ---------------------------------------------------------------------------------------
# A page that needs no network
# ---------------------------------------------------------------------------------------


def test_viz_page_links_nothing_remote(parks: Graph) -> None:
    page = render_html(parks)
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:|//)""", page, re.IGNORECASE)
    styles = "".join(re.findall(r"<style>(.*?)</style>", page, re.DOTALL))
    assert len(styles) > 10_000  # vis-network's stylesheet and ours, inlined
    assert not re.search(r"""url\(\s*(?!["']?data:)""", styles, re.IGNORECASE)
    assert "@import" not in page
    assert "<script src" not in page and '<link rel="stylesheet"' not in page
    assert re.search(
        r"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#x27;none&#x27;; script-src &#x27;sha256-",
        page,
    )
    assert "vis.Network" in page  # vis-network itself is inlined


def test_viz_page_script_hashes_match_the_inline_scripts(parks: Graph) -> None:
    import base64
    import hashlib

    page = render_html(parks)
    allowed = set(re.findall(r"&#x27;(sha256-[A-Za-z0-9+/=]+)&#x27;", page))
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 2
    hashes = {"sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts}
    assert hashes == allowed


@pytest.mark.parametrize("cls", list(drawn_classes()))
def test_viz_legend_names_each_class_with_its_colour(parks: Graph, cls: str) -> None:
    page = render_html(parks)
    legend = page[page.index('<aside id="legend"') : page.index("</aside>")]
    style = drawn_classes()[cls]
    assert f'data-class="{cls}"' in legend
    assert f'<span class="zh">{style.zh}</span><span class="en">{cls}</span>' in legend
    assert f'fill="{style.colour}"' in legend


@pytest.mark.parametrize(
    ("predicate", "zh"),
    [
        ("hosts", "入驻"),
        ("issues", "发布"),
        ("achieves", "实现"),
        ("locatedIn", "位于"),
        ("partOf", "隶属"),
        ("holdsPost", "任职"),
    ],
)
def test_viz_legend_and_data_name_each_relation_in_chinese_and_english(parks: Graph, predicate: str, zh: str) -> None:
    page = render_html(parks)
    assert f'<span class="zh">{zh}</span><span class="en">{predicate}</span>' in page
    assert page_data(page)["predicates"][predicate]["zh"] == zh


def test_viz_hosts_issues_achieves_are_drawn_differently() -> None:
    looks = {
        p: (drawn_relations()[p].colour, drawn_relations()[p].dashes, drawn_relations()[p].width)
        for p in ("hosts", "issues", "achieves")
    }
    assert len({look[0] for look in looks.values()}) == 3
    assert len({look[1] for look in looks.values()}) == 3
    assert len({look[2] for look in looks.values()}) == 3


# ---------------------------------------------------------------------------------------
# What the page says about nodes and edges
# ---------------------------------------------------------------------------------------


def test_viz_every_entity_and_relation_is_drawn(parks: Graph) -> None:
    data = page_data(render_html(parks))
    assert len(data["nodes"]) == 13
    edges = {(data["nodes"][e["f"]]["n"], e["p"], data["nodes"][e["t"]]["n"]) for e in data["edges"]}
    assert edges == {
        ("南昌高新区", "hosts", "江西珉轩智能科技有限公司"),
        ("南昌高新区", "hosts", "泰豪软件"),
        ("南昌高新区", "issues", "黄金十条"),
        ("南昌高新区", "issues", "关于加快推进数字经济发展的若干政策措施"),  # from kg:issuedBy alone
        ("南昌高新区", "locatedIn", "南昌市"),
        ("南昌市", "locatedIn", "江西省"),
        ("金庐软件园", "partOf", "南昌高新区"),
        ("南昌高新区党工委", "partOf", "南昌高新区"),
        ("吴前进", "holdsPost", "南昌高新区党工委"),  # the kg:Post folded into its organisation
        ("南昌高新区", "achieves", "工业产值 1100亿元 (2023)"),
        ("南昌高新区", "achieves", "工业产值同比增长 23.9% (2023)"),
        ("工业产值同比增长 23.9% (2023)", "growthOf", "工业产值 1100亿元 (2023)"),
    }
    post = next(e for e in data["edges"] if e["p"] == "holdsPost")
    assert post["x"] == "副书记"


def test_viz_metric_shows_its_value_with_unit_not_an_iri(parks: Graph) -> None:
    data = page_data(render_html(parks))
    metric = next(n for n in data["nodes"] if n["n"].startswith("工业产值 1100"))
    assert metric["s"] == "工业产值\n1100亿元 (2023)"
    assert metric["h"].splitlines()[:3] == ["工业产值 1100亿元 (2023)", "1100亿元 = 110000000000 CNY", "超过"]
    assert metric["m"] == {
        "indicator": "工业产值",
        "amount": "1100亿元",
        "base": "110000000000 CNY",
        "surface": "1100亿元",
        "qualifier": "超过",
        "year": "2023",
        "target": False,
    }
    assert not any("metric/" in n["s"] or "http" in n["s"] for n in data["nodes"])


@pytest.mark.parametrize(
    ("figure", "amount", "base"),
    [
        (
            'qudt:numericValue 110000000000.0 ; qudt:unit unit:CCY_CNY ; kg:surfaceText "1100亿元"',
            "1100亿元",
            "110000000000 CNY",
        ),
        (
            'qudt:numericValue 50000000000.0 ; qudt:unit unit:CCY_CNY ; kg:surfaceText "近500亿元"',
            "近500亿元",
            "50000000000 CNY",
        ),
        (
            "qudt:numericValue 14000000.0 ; qudt:unit unit:CCY_CNY",
            "1400万元",
            "14000000 CNY",
        ),  # no surface: read from the number
        ('qudt:numericValue "1.4E7"^^xsd:decimal ; qudt:unit unit:CCY_CNY', "1400万元", "14000000 CNY"),
        ("qudt:numericValue 14700.0 ; qudt:unit kg:PersonCount", "1.47万人", "14700 人"),
        ("qudt:numericValue 23.9 ; qudt:unit unit:PERCENT", "23.9%", "23.9 %"),
        ("qudt:numericValue 3000.0 ; qudt:unit kg:Mu", "3000亩", "3000 亩"),
        ('qudt:numericValue "abc" ; kg:surfaceText "若干"', "若干", None),
    ],
    ids=["surface", "surface-qualified", "no-surface", "exponent-literal", "people", "percent", "mu", "not-a-number"],
)
def test_viz_metric_amount_in_the_sources_units_next_to_the_base_value(
    figure: str, amount: str, base: str | None
) -> None:
    ttl = f"""
    @prefix kg: <https://w3id.org/parkkg/ontology#> . @prefix qudt: <http://qudt.org/schema/qudt/> .
    @prefix unit: <http://qudt.org/vocab/unit/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <{ID}park/p> a kg:Park ; rdfs:label "鹿鸣产业园"@zh ; kg:achieves <{ID}metric/m> .
    <{ID}metric/m> a kg:Metric ; rdfs:label "产值"@zh ; kg:indicator "产值"@zh ; {figure} .
    """
    data = page_data(render_html(Graph().parse(data=ttl, format="turtle")))
    metric = next(n for n in data["nodes"] if n["c"] == "Metric")
    assert (metric["m"]["amount"], metric["m"]["base"]) == (amount, base)
    assert "×" not in metric["h"] and "10⁷" not in json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("泰豪软件", "泰豪软件"),
        ("江西珉轩智能科技有限公司", "江西珉轩智能科技有限公司"),
        ("关于加快推进数字经济发展的若干政策措施", "关于加快推进数字经济发…"),
        ("  南昌 \n 高新区 ", "南昌 高新区"),
    ],
)
def test_viz_short_label_fits_under_a_node(name: str, label: str) -> None:
    assert short_label(name) == label
    assert len(short_label(name)) <= 12


def test_viz_long_names_keep_the_full_name_on_hover(parks: Graph) -> None:
    data = page_data(render_html(parks))
    policy = next(n for n in data["nodes"] if n["c"] == "Policy" and len(n["n"]) > 12)
    assert policy["s"].endswith("…") and policy["h"].splitlines()[0] == policy["n"]


def test_viz_evidence_carries_sentence_headline_and_matched_span(parks: Graph) -> None:
    data = page_data(render_html(parks))
    hosts = next(e for e in data["edges"] if e["p"] == "hosts" and data["nodes"][e["t"]]["n"] == "泰豪软件")
    sentence, article, rule, confidence, start, end = data["evidence"][hosts["e"][0]]
    text, sentence_article = data["sentences"][sentence]
    assert (text, rule, confidence) == ("泰豪软件入驻南昌高新区。", "hosts.enterprise-in-park", 0.9)
    assert data["articles"][article] == data["articles"][sentence_article] == "南昌高新区以硬举措提升软实力"
    assert text[start:end] == "泰豪软件"
    post = next(e for e in data["edges"] if e["p"] == "holdsPost")
    assert data["evidence"][post["e"][0]][4:] == [-1, -1]  # no span recorded, nothing marked


# ---------------------------------------------------------------------------------------
# Hostile text is data
# ---------------------------------------------------------------------------------------

PAYLOADS = [
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "<!--<script>",
    '"><svg onload=alert(1)>',
    "a\u2028b\u2029c",
    "{{DATA}}{{JS}}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_viz_hostile_names_and_headlines_stay_text(payload: str) -> None:
    g = Graph()
    park, firm, article = URIRef(ID + "park/x"), URIRef(ID + "ent/x"), URIRef(ID + "article/x")
    g.parse(
        data=f"""@prefix kg: <https://w3id.org/parkkg/ontology#> .
        <{park}> a kg:Park . <{firm}> a kg:Enterprise . <{park}> kg:hosts <{firm}> .
        <{article}> a kg:Article . <{firm}> kg:mentionedIn <{article}> .""",
        format="turtle",
    )
    g.add((park, RDFS.label, Literal(payload + "园区", lang="zh")))
    g.add((firm, RDFS.label, Literal(payload, lang="zh")))
    g.add((article, KG.headline, Literal(payload)))
    page = render_view(explore(g, focus=payload + "园区"))
    # Three script elements (data, vis-network, ours) and nothing that closes one early.
    assert len(re.findall(r"<script[ >]", page)) == 3 + 1  # vis-network's code holds one "<script>" string
    assert page.count("</script>") == 3
    body = page[page.index("<body>") : page.index('<script id="kg-data"')]
    if any(c in payload for c in '<>&"'):
        assert payload not in body  # the note shows it escaped
    data = page_data(page)
    assert names(data) == {payload + "园区", payload}
    assert data["articles"] == [payload]
    assert "{{" not in page.replace("{{DATA}}{{JS}}", "")[:200]  # markers in data are never expanded


def test_viz_data_blob_has_no_markup_characters(parks: Graph) -> None:
    g = Graph()
    g += parks
    g.add((URIRef(ID + "ent/E1"), RDFS.label, Literal("<b>&amp;</b>", lang="en")))
    page = render_html(g)
    blob = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', page, re.DOTALL).group(1)
    assert not set("<>&") & set(blob)


# ---------------------------------------------------------------------------------------
# Focus, depth and truncation
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("focus", "depth", "nodes", "edges"),
    [
        ("南昌高新区", 0, 1, 0),
        ("南昌高新区", 1, 10, 10),
        ("南昌高新区", 2, 12, 12),
        ("江西南昌高新区", 1, 10, 10),  # by alias
        ("南昌 高新区", 1, 10, 10),  # spaces ignored
        ("吴前进", 1, 2, 1),
        ("吴前进", 2, 3, 2),
        ("江西省", 2, 3, 2),
        ("孤立企业", 5, 1, 0),
    ],
)
def test_viz_focus_draws_the_neighbourhood(parks: Graph, focus: str, depth: int, nodes: int, edges: int) -> None:
    view = explore(parks, focus=focus, depth=depth)
    assert (len(view.nodes), len(view.relations)) == (nodes, edges)
    assert not view.truncated
    data = page_data(render_view(view))
    assert len(data["nodes"]) == nodes and len(data["edges"]) == edges
    assert [data["nodes"][i]["n"] for i in data["focus"]] == [view.data.entities[view.focus[0]].name]
    assert focus.replace(" ", "") in (view.note() or "").replace(" ", "") or focus == "江西南昌高新区"


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("南昌高新", "南昌高新区"),
        ("金庐软件", "金庐软件园"),
        ("吴前", "吴前进"),
        ("江西南昌高新区区", "江西南昌高新区"),
    ],
)
def test_viz_unknown_focus_names_close_names(parks: Graph, name: str, suggestion: str) -> None:
    with pytest.raises(UsageError, match="no entity has this name") as raised:
        explore(parks, focus=name)
    assert suggestion in str(raised.value).split("close names:")[1]


@pytest.mark.parametrize(
    ("options", "message"), [({"max_nodes": 0}, "--max-nodes"), ({"depth": -1}, "--depth"), ({"focus": " "}, "--focus")]
)
def test_viz_bad_options_are_usage_errors(parks: Graph, options: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        explore(parks, **options)


def test_viz_max_nodes_keeps_the_most_connected_part_and_says_so(parks: Graph) -> None:
    view = explore(parks, max_nodes=5)
    assert len(view.nodes) == 5 and view.truncated and len(view.omitted) == 8
    hub = ID + "park/A"
    assert view.nodes[0] == hub
    neighbours = view.data.adjacency()[hub]
    assert all(n in neighbours for n in view.nodes[1:])  # a connected part around the hub
    page = render_view(view)
    note = re.search(r'<div id="note" role="status"><span>(.*?)</span>', page).group(1)
    assert "省略 8 个节点" in note and "--max-nodes 5" in note and "kg viz --focus" in note
    assert len(page_data(page)["nodes"]) == 5
    assert "节点太多" not in (explore(parks).note() or "")


def test_viz_max_nodes_caps_a_focus_neighbourhood_nearest_first(parks: Graph) -> None:
    view = explore(parks, focus="吴前进", depth=3, max_nodes=3)
    assert [view.data.entities[n].name for n in view.nodes] == ["吴前进", "南昌高新区党工委", "南昌高新区"]
    assert view.truncated and "邻域太大" in view.note()


def test_viz_large_views_use_the_fast_layout() -> None:
    g = Graph()
    hubs = 20
    per_hub = LARGE_GRAPH // hubs + 5
    for h in range(hubs):
        park = URIRef(f"{ID}park/{h}")
        g.add((park, KG.locatedIn, URIRef(f"{ID}place/{h % 4}")))
        for e in range(per_hub):
            g.add((park, KG.hosts, URIRef(f"{ID}ent/{h}-{e}")))
    for s in set(g.subjects()) | set(g.objects()):
        kind = str(s).split("/")[-2]
        g.add((s, RDFS.label, Literal(str(s).rsplit("/", 2)[-2] + str(s).rsplit("/", 1)[-1], lang="zh")))
        g.add(
            (
                s,
                URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                {"park": KG.Park, "place": KG.Place, "ent": KG.Enterprise}[kind],
            )
        )
    data = page_data(render_html(g))
    assert len(data["nodes"]) > LARGE_GRAPH
    options = data["options"]
    assert options["layout"]["improvedLayout"] is False
    assert options["physics"]["stabilization"]["iterations"] <= 200
    assert options["edges"]["smooth"] is False
    # Leaves are folded out of the physics and placed around their park afterwards.
    folded = set(data["folded"])
    enterprises = {n["id"] for n in data["nodes"] if n["c"] == "Enterprise"}
    assert len(enterprises) == hubs * per_hub and enterprises <= folded
    assert all(data["nodes"][data["nodes"][i]["u"]]["c"] == "Park" for i in enterprises)
    assert all("x" in n and "y" in n for n in data["nodes"] if n["id"] not in folded)  # the core starts placed
    assert len(data["nodes"]) - len(folded) == 4  # these stars have no 2-core: one anchor per component


def test_viz_small_views_use_the_careful_layout(parks: Graph) -> None:
    data = page_data(render_html(parks))
    assert data["options"]["layout"]["improvedLayout"] is True and data["folded"] == []


def test_viz_relation_type_is_exported() -> None:
    assert Relation("a", "hosts", "b").details == []


# ---------------------------------------------------------------------------------------
# Writing files and the command line
# ---------------------------------------------------------------------------------------


def test_viz_write_html_writes_the_page(parks: Graph, tmp_path: Path) -> None:
    target = write_html(parks, tmp_path / "deep" / "graph.html", focus="南昌高新区", depth=1)
    assert target == tmp_path / "deep" / "graph.html"
    assert len(page_data(target.read_text(encoding="utf-8"))["nodes"]) == 10
    assert [p.name for p in target.parent.iterdir()] == ["graph.html"]  # no temporary file left


def test_viz_cli_writes_the_page(parks: Graph, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "graph.ttl"
    parks.serialize(source, format="turtle")
    out = tmp_path / "page.html"
    assert main(["viz", str(source), "-o", str(out), "--focus", "江西南昌高新区", "--depth", "1"]) == 0
    assert "(10 nodes, 10 relations around 江西南昌高新区 (depth 1))" in capsys.readouterr().out
    assert len(page_data(out.read_text(encoding="utf-8"))["nodes"]) == 10
    assert main(["viz", str(source), "-o", str(out), "--max-nodes", "3"]) == 0
    printed = capsys.readouterr().out
    assert "10 nodes left out by --max-nodes 3" in printed and "--focus NAME" in printed


@pytest.mark.parametrize(
    ("arguments", "status", "message"),
    [
        (["--focus", "南昌高新"], 2, "close names: 南昌高新区"),
        (["--depth", "1"], 2, "--depth needs --focus"),
        (["--max-nodes", "0"], 2, "--max-nodes must be at least 1"),
    ],
)
def test_viz_cli_usage_errors(
    parks: Graph, tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], status: int, message: str
) -> None:
    source = tmp_path / "graph.ttl"
    parks.serialize(source, format="turtle")
    assert main(["viz", str(source), "-o", str(tmp_path / "x.html"), *arguments]) == status
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_viz_cli_bad_graph_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("kgr:x a <<", encoding="utf-8")
    assert main(["viz", str(bad), "-o", str(tmp_path / "x.html")]) == 1
    assert "bad.ttl" in capsys.readouterr().err


def test_viz_odd_literals_do_not_break_the_page() -> None:
    g = Graph().parse(
        data=f"""@prefix kg: <https://w3id.org/parkkg/ontology#> .
        @prefix qudt: <http://qudt.org/schema/qudt/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        <{ID}park/p> a kg:Park ; kg:achieves <{ID}metric/m> .
        <{ID}metric/m> a kg:Metric ; qudt:numericValue "abc" ; kg:surfaceText "若干" .
        <{ID}evidence/e> a kg:Evidence ; rdf:subject <{ID}park/p> ; rdf:predicate kg:achieves ;
            rdf:object <{ID}metric/m> ; kg:confidence "NaN"^^xsd:double ; kg:startOffset "x" .""",
        format="turtle",
    )
    data = page_data(render_html(g))
    assert {n["n"] for n in data["nodes"]} == {"p", "m"}  # no label: the end of the IRI
    metric = next(n for n in data["nodes"] if n["c"] == "Metric")
    assert metric["m"]["base"] is None and metric["m"]["amount"] == metric["m"]["surface"] == "若干"
    assert data["evidence"] == [[-1, -1, "", None, -1, -1]]


def test_viz_empty_graph_still_makes_a_page() -> None:
    page = render_html(Graph())
    data = page_data(page)
    assert data["nodes"] == [] and data["edges"] == [] and data["total"] == {"nodes": 0, "edges": 0, "omitted": 0}
    assert "0 个节点 · 0 条关系" in page


# --- the page read from an Oxigraph store (kg build: no rdflib copy of a big graph) ----------


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(Path(__file__).parent / "data" / "valid_sample.ttl", id="valid-sample"),
        pytest.param(None, id="seeds-build"),
    ],
)
def test_collect_reads_the_same_from_a_store(source: Path | None, tmp_path: Path) -> None:
    from kg.builder import build_corpus
    from kg.query import load_store
    from kg.validate import load_graph
    from kg.viz import StoreGraph, collect

    if source is None:
        source = tmp_path / "graph.ttl"
        build_corpus([Path(__file__).parents[1] / "seeds"], named_graphs=False, output_format="turtle").write(source)
    from_rdflib = collect(load_graph(source))
    from_store = collect(StoreGraph(load_store(source)))
    assert from_store.relations and from_store == from_rdflib


@pytest.mark.parametrize(("max_nodes", "left_out"), [(10, 0), (4, 6)], ids=["all-drawn", "four-drawn"])
def test_view_from_a_store_reads_the_panels_of_the_drawn_entities_only(max_nodes: int, left_out: int) -> None:
    """From a store the articles and metric figures are read for the drawn entities, as collect reads them."""
    from kg.query import load_store
    from kg.viz import StoreGraph, collect

    store = load_store(Path(__file__).parent / "data" / "valid_sample.ttl")
    full = collect(StoreGraph(store)).entities
    view = explore(StoreGraph(store), max_nodes=max_nodes)
    drawn = set(view.nodes)
    assert any(full[iri].metric for iri in drawn) and any(full[iri].articles for iri in drawn)
    assert [view.data.entities[iri] for iri in view.nodes] == [full[iri] for iri in view.nodes]
    others = [iri for iri in full if iri not in drawn]
    assert len(others) == left_out
    if others:  # what collect gives them is not read
        assert any(full[iri].metric for iri in others) and any(full[iri].articles for iri in others)
    assert all(view.data.entities[iri].metric is None and not view.data.entities[iri].articles for iri in others)


@pytest.mark.parametrize("max_nodes", [1500, 40], ids=["all-drawn", "forty-drawn"])
@pytest.mark.parametrize(
    "source",
    [
        pytest.param(Path(__file__).parent / "data" / "valid_sample.ttl", id="valid-sample"),
        pytest.param(None, id="seeds-build"),
    ],
)
def test_page_from_a_store_is_the_page_from_rdflib(source: Path | None, max_nodes: int, tmp_path: Path) -> None:
    """From a store only the drawn relations' evidence is read: the page is the same byte for byte."""
    from kg.builder import build_corpus
    from kg.query import load_store
    from kg.validate import load_graph
    from kg.viz import StoreGraph, render_html

    if source is None:
        source = tmp_path / "graph.ttl"
        build_corpus([Path(__file__).parents[1] / "seeds"], named_graphs=False, output_format="turtle").write(source)
    expected = render_html(load_graph(source), max_nodes=max_nodes)
    assert '"evidence":[]' not in expected  # the drawn relations carry evidence
    assert render_html(StoreGraph(load_store(source)), max_nodes=max_nodes) == expected


def _peeled_core(nodes: list[str], edges: list[tuple[str, str]]) -> set[str]:
    """The 2-core as the page computed it before networkx did (the oracle for the test below)."""
    neighbours: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    degree = {n: len(others) for n, others in neighbours.items()}
    alive, stack = set(nodes), [n for n in nodes if degree[n] <= 1]
    while stack:
        node = stack.pop()
        if node in alive:
            alive.discard(node)
            for other in neighbours[node] & alive:
                degree[other] -= 1
                if degree[other] <= 1:
                    stack.append(other)
    return alive


@pytest.mark.parametrize(
    ("edges", "core"),
    [
        ([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")], {"a", "b", "c"}),  # a triangle with a tail
        ([("a", "b"), ("b", "c"), ("c", "d")], {"b"}),  # a path: all tree, its best-connected node stays
        (
            [("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")],
            {"a", "b", "c", "x", "y", "z"},
        ),
        ([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a"), ("a", "c"), ("d", "e"), ("e", "f")], {"a", "b", "c", "d"}),
        ([("a", "b"), ("b", "c"), ("c", "a"), ("a", "a")], {"a", "b", "c"}),  # a relation to itself anchors nothing
    ],
    ids=["triangle-tail", "path", "two-triangles", "square-chord", "self-loop"],
)
def test_viz_fold_trees_keeps_the_two_core(edges: list[tuple[str, str]], core: set[str]) -> None:
    from kg.viz import _fold_trees

    nodes = sorted({n for edge in edges for n in edge})
    kept, parent, carried = _fold_trees(nodes, [Relation(a, "hosts", b) for a, b in edges])
    assert set(kept) == core
    assert set(parent) == set(nodes) - core and sum(carried.values()) == len(parent)


@pytest.mark.parametrize("seed", range(6))
def test_viz_fold_trees_core_is_the_peeled_core(seed: int) -> None:
    """networkx's k_core gives what the hand-written peeling gave, on random sparse graphs."""
    import random

    from kg.viz import _fold_trees

    rng = random.Random(seed)
    nodes = [f"n{i}" for i in range(60)]
    edges = [tuple(rng.sample(nodes, 2)) for _ in range(rng.randint(40, 90))]
    peeled = _peeled_core(nodes, edges)  # type: ignore[arg-type]
    kept, parent, _ = _fold_trees(nodes, [Relation(a, "hosts", b) for a, b in edges])
    assert peeled and peeled <= set(kept)
    # Besides the peeled core, one node per component that is all tree, and nothing else.
    extra = set(kept) - peeled
    assert all(_component(n, edges).isdisjoint(peeled) for n in extra)
    assert all(len(_component(n, edges) & extra) == 1 for n in extra)
    assert set(parent) == set(nodes) - set(kept)


def _component(start: str, edges: list[tuple[str, str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for a, b in edges:
            for here, other in ((a, b), (b, a)):
                if here == node and other not in seen:
                    seen.add(other)
                    todo.append(other)
    return seen


def test_viz_evidence_rules_are_read_out_in_words(parks: Graph) -> None:
    """The page carries each known rule's phrase; a rule this version does not know stays an id."""
    data = page_data(render_html(parks))
    assert {row[2] for row in data["evidence"]} == {"hosts.enterprise-in-park", "holdsPost.title-before-name"}
    assert data["rules"] == {
        "holdsPost.title-before-name": [
            "句中明言：职务在人名前",
            "stated in the sentence: the title before the name",
            None,
            None,
        ]
    }


@pytest.mark.parametrize(
    ("predicate", "rule", "inferred"),
    [
        ("locatedIn", "locatedIn.name-prefix", "由名称推断：园区名以该地名开头"),
        ("hosts", "hosts.article-park", "同篇报道推断：句中未提园区，取本段或全文所写的园区"),
        ("holdsPost", "holdsPost.title-before-name", None),
    ],
)
def test_viz_seed_page_marks_inferred_links_with_their_reason(
    seed_graph: Graph, predicate: str, rule: str, inferred: str | None
) -> None:
    data = page_data(render_html(seed_graph))
    rows = [data["evidence"][r] for e in data["edges"] if e["p"] == predicate for r in e.get("e", [])]
    assert rule in {row[2] for row in rows}
    assert set(data["rules"]) == {row[2] for row in data["evidence"]}  # every rule shown has words
    assert data["rules"][rule][2] == inferred
