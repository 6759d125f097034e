"""Adding a relation type touches no module of kg: one schema row, one rule, one pipeline line.

The test registers ``kg:invests`` (an enterprise invests in another), a rule that finds it
(…公司投资…公司 in one sentence) and its place in the pipeline, then finds the relation in the
Turtle a build writes, in ``kg eval``'s scores and in the page's data. Everything registered is
taken back afterwards.
"""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from rdflib import Graph, URIRef

from kg import components, pipeline, schema
from kg.builder import build_corpus
from kg.components import Work
from kg.evaluate import evaluate
from kg.model import Evidence, Relation
from kg.ontology import KG_NS
from kg.viz import _payload, explore

ARTICLE = (
    "青川高新区企业合作再结硕果\n"
    "鑫拓科技有限公司投资恒岳新材料有限公司，共建新能源材料生产线。\n"
    "两家企业均位于青川高新区，去年实现产值12亿元。\n"
)
INVESTOR, INVESTEE = "鑫拓科技有限公司", "恒岳新材料有限公司"


def invests(work: Work) -> None:
    """An enterprise, 投资, then another enterprise, in one sentence."""
    assert work.article is not None and work.entities is not None
    for sentence, mentions in work.named.items():
        companies = sorted((m for m in mentions if m.type == "Enterprise"), key=lambda m: m.start)
        for first, second in pairwise(companies):
            text = work.document.norm[first.end : second.start] if work.document else ""
            if "投资" in text:
                evidence = Evidence(work.article.key, sentence, first.start, second.end, "invests.verb", 0.8)
                work.candidates.append(
                    Relation(work.entities.get(first) or "", "invests", work.entities.get(second) or "", evidence)
                )


@pytest.fixture
def with_invests(monkeypatch):
    """kg:invests in the schema, its rule registered, and the rule listed before "relations"."""
    monkeypatch.setitem(
        schema.RELATIONS,
        "invests",
        schema.Relation("invests", "投资", "invests in", ("Enterprise",), ("Enterprise",), "#6d4c41", 1.5),
    )
    components.component("relation.invests", reads=("named",), adds=("candidates",))(invests)
    listed = list(pipeline.PIPELINE)
    listed.insert(listed.index("relations"), "relation.invests")
    monkeypatch.setattr(pipeline, "PIPELINE", tuple(listed))
    pipeline.components.cache_clear()
    yield
    del components.COMPONENTS["relation.invests"]
    pipeline.components.cache_clear()


def test_a_registered_relation_reaches_turtle_eval_and_the_page(with_invests, tmp_path, segmenter):
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")

    # Turtle
    result = build_corpus([str(source)], segmenter=segmenter)
    written = result.write(tmp_path / "graph.ttl", "turtle")
    graph = Graph().parse(written)
    invests_iri = URIRef(KG_NS + "invests")
    pairs = [
        ({str(label) for label in graph.objects(s, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))},
         {str(label) for label in graph.objects(o, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))})
        for s, o in graph.subject_objects(invests_iri)
    ]  # fmt: skip
    assert any(INVESTOR in s and INVESTEE in o for s, o in pairs), pairs

    # kg eval: a gold file that annotates the relation scores it
    gold = {
        "doc": "article.txt",
        "entities": {"Enterprise": [{"name": INVESTOR, "aliases": []}, {"name": INVESTEE, "aliases": []}]},
        "relations": [{"s": INVESTOR, "p": "invests", "o": INVESTEE}],
        "metrics": [],
        "scope": {"entities": ["Enterprise"], "relations": ["invests"], "metrics": False},
    }
    (tmp_path / "article.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    score = evaluate(tmp_path).total("invests")
    assert (score.tp, score.fp, score.fn) == (1, 0, 0)

    # The page: the relation has its style and its edge
    payload = _payload(explore(graph))
    assert payload["predicates"]["invests"]["zh"] == "投资"
    assert "invests" in json.dumps(payload["edges"], ensure_ascii=False)


def test_without_its_pipeline_line_the_rule_is_an_error_at_start_up(monkeypatch):
    from kg.errors import PipelineError

    components.component("relation.invests", reads=("named",), adds=("candidates",))(invests)
    pipeline.components.cache_clear()
    try:
        with pytest.raises(PipelineError, match=r"relation\.invests"):
            pipeline.components()
    finally:
        del components.COMPONENTS["relation.invests"]
        pipeline.components.cache_clear()
