"""SHACL validation of kg graphs, the readable report, and RDF parse errors."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from kg.errors import GraphParseError, InputError, UsageError, ValidationError
from kg.rdfio import ox_store
from kg.shacl import Finding, compile_shapes, run_checks
from kg.validate import ValidationResult, ensure_valid, format_report, load_graph, load_shapes, validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "valid_sample.ttl"

ID = "https://w3id.org/parkkg/id/"
PARK = URIRef(ID + "park/南昌高新区")
SUBPARK = URIRef(ID + "park/金庐软件园")
ENTERPRISE = URIRef(ID + "enterprise/江西珉轩智能科技有限公司")
PERSON = URIRef(ID + "person/南昌高新区党工委%2F吴前进")
PLACE = URIRef(ID + "place/南昌市")
METRIC = URIRef(ID + "metric/park-1")
METRIC2 = URIRef(ID + "metric/enterprise-1")
ARTICLE = URIRef(ID + "article/000_95dad0ac0dd1954b-0")
SENTENCE = URIRef(ID + "sentence/000_95dad0ac0dd1954b-0-7")
EV_HOSTS = URIRef(ID + "evidence/hosts-1")
EV_ISSUES = URIRef(ID + "evidence/issues-1")

KG = "https://w3id.org/parkkg/ontology#"
PREFIXES = f"""
PREFIX kg: <{KG}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX unit: <http://qudt.org/vocab/unit/>
"""


@pytest.fixture(scope="module")
def sample() -> Graph:
    return load_graph(SAMPLE)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def mutated(sample: Graph, update: str) -> Graph:
    graph = Graph()
    for prefix, ns in sample.namespaces():
        graph.bind(prefix, ns)
    for triple in sample:
        graph.add(triple)
    graph.update(PREFIXES + update)
    return graph


# --- the valid sample ------------------------------------------------------------------------


def test_valid_sample_conforms(sample: Graph, shapes: Graph) -> None:
    result = validate(sample, shapes=shapes)
    assert result.conforms, format_report(result)
    assert result.violations == []
    assert format_report(result) == "conforms"


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_valid_sample_conforms_with_inference(sample: Graph, shapes: Graph, inference: str) -> None:
    result = validate(sample, shapes=shapes, inference=inference)
    assert result.conforms, format_report(result)


# --- mutations: each breaks one rule ---------------------------------------------------------
# (SPARQL Update applied to the sample, expected focus node, component, path or None for "any")

MUTATIONS = [
    pytest.param(
        f"INSERT DATA {{ <{METRIC}> kg:hosts <{METRIC2}> }}",
        METRIC,
        "sh:class",
        KG + "hosts",
        id="hosts-between-two-metrics-range",
    ),
    pytest.param(
        f"INSERT DATA {{ <{METRIC}> kg:hosts <{METRIC2}> }}",
        METRIC,
        "sh:class",
        None,
        id="hosts-between-two-metrics-domain",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{METRIC}> qudt:numericValue ?v }}",
        METRIC,
        "sh:minCount",
        "http://qudt.org/schema/qudt/numericValue",
        id="metric-without-numeric-value",
    ),
    pytest.param(
        f'DELETE {{ <{METRIC}> qudt:numericValue ?v }} INSERT {{ <{METRIC}> qudt:numericValue "1.4E7"^^xsd:double }} '
        f"WHERE {{ <{METRIC}> qudt:numericValue ?v }}",
        METRIC,
        "sh:datatype",
        "http://qudt.org/schema/qudt/numericValue",
        id="metric-value-not-decimal",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{METRIC}> qudt:unit ?u }}",
        METRIC,
        "sh:minCount",
        "http://qudt.org/schema/qudt/unit",
        id="metric-without-unit",
    ),
    pytest.param(
        f"DELETE {{ <{METRIC}> qudt:unit ?u }} INSERT {{ <{METRIC}> qudt:unit unit:KiloGM }} "
        f"WHERE {{ <{METRIC}> qudt:unit ?u }}",
        METRIC,
        "sh:in",
        "http://qudt.org/schema/qudt/unit",
        id="metric-unit-not-in-UNITS",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{METRIC}> kg:indicator ?i }}",
        METRIC,
        "sh:minCount",
        KG + "indicator",
        id="metric-without-indicator",
    ),
    pytest.param(
        f"DELETE {{ <{METRIC}> kg:qualifier ?q }} INSERT {{ <{METRIC}> kg:qualifier kg:Park }} "
        f"WHERE {{ <{METRIC}> kg:qualifier ?q }}",
        METRIC,
        "sh:in",
        KG + "qualifier",
        id="metric-qualifier-not-a-qualifier",
    ),
    pytest.param(
        f'INSERT DATA {{ <{METRIC}> kg:year "2024"^^xsd:gYear }}',
        METRIC,
        "sh:maxCount",
        KG + "year",
        id="metric-with-two-years",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{ENTERPRISE}> rdfs:label ?l }}",
        ENTERPRISE,
        "sh:minCount",
        "http://www.w3.org/2000/01/rdf-schema#label",
        id="entity-without-label",
    ),
    pytest.param(
        f'INSERT DATA {{ <{PARK}> rdfs:label "南昌高新技术产业开发区"@zh }}',
        PARK,
        "sh:maxCount",
        "http://www.w3.org/2000/01/rdf-schema#label",
        id="entity-with-two-zh-labels",
    ),
    pytest.param(
        f'DELETE {{ <{PARK}> rdfs:label ?l }} INSERT {{ <{PARK}> rdfs:label "Nanchang High-tech Zone"@en }} '
        f"WHERE {{ <{PARK}> rdfs:label ?l }}",
        PARK,
        "sh:languageIn",
        "http://www.w3.org/2000/01/rdf-schema#label",
        id="entity-label-not-zh",
    ),
    pytest.param(
        f"INSERT DATA {{ <{PARK}> a kg:Enterprise }}",
        PARK,
        "sh:qualifiedMaxCount",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        id="entity-with-two-types",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{EV_HOSTS}> kg:startOffset ?s ; kg:endOffset ?e }}",
        EV_HOSTS,
        "sh:minCount",
        KG + "startOffset",
        id="evidence-without-offsets",
    ),
    pytest.param(
        f"DELETE {{ <{EV_HOSTS}> kg:startOffset ?s }} INSERT {{ <{EV_HOSTS}> kg:startOffset 250 }} "
        f"WHERE {{ <{EV_HOSTS}> kg:startOffset ?s }}",
        EV_HOSTS,
        "sh:lessThanOrEquals",
        KG + "startOffset",
        id="evidence-start-after-end",
    ),
    pytest.param(
        f"DELETE {{ <{EV_HOSTS}> kg:confidence ?c }} INSERT {{ <{EV_HOSTS}> kg:confidence 1.5 }} "
        f"WHERE {{ <{EV_HOSTS}> kg:confidence ?c }}",
        EV_HOSTS,
        "sh:maxInclusive",
        KG + "confidence",
        id="evidence-confidence-above-one",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{EV_HOSTS}> kg:rule ?r }}",
        EV_HOSTS,
        "sh:minCount",
        KG + "rule",
        id="evidence-without-rule",
    ),
    pytest.param(
        f"DELETE {{ <{EV_HOSTS}> kg:sentence ?s }} INSERT {{ <{EV_HOSTS}> kg:sentence <{ARTICLE}> }} "
        f"WHERE {{ <{EV_HOSTS}> kg:sentence ?s }}",
        EV_HOSTS,
        "sh:class",
        KG + "sentence",
        id="evidence-sentence-not-a-sentence",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{PARK}> kg:hosts <{ENTERPRISE}> }}",
        EV_HOSTS,
        "sh:sparql",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#object",
        id="evidence-for-a-missing-triple",
    ),
    pytest.param(
        f"DELETE {{ <{EV_ISSUES}> kg:article ?a }} "
        f"INSERT {{ <{EV_ISSUES}> kg:article <http://example.org/other-article> . "
        f'<http://example.org/other-article> a kg:Article ; kg:headline "另一篇" }} '
        f"WHERE {{ <{EV_ISSUES}> kg:article ?a }}",
        EV_ISSUES,
        "sh:equals",
        None,
        id="evidence-sentence-from-another-article",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{EV_HOSTS}> ?p ?o }}",
        PARK,
        "sh:sparql",
        KG + "hosts",
        id="hosts-triple-without-evidence",
    ),
    pytest.param(
        f"INSERT {{ <{ENTERPRISE}> kg:issues ?policy }} WHERE {{ ?policy a kg:Policy }}",
        ENTERPRISE,
        "sh:or",
        None,
        id="issues-from-an-enterprise",
    ),
    pytest.param(
        f"INSERT DATA {{ <{PARK}> kg:achieves <{ENTERPRISE}> }}",
        PARK,
        "sh:class",
        KG + "achieves",
        id="achieves-an-enterprise",
    ),
    pytest.param(
        f"INSERT DATA {{ <{PARK}> kg:locatedIn <{ENTERPRISE}> }}",
        PARK,
        "sh:class",
        KG + "locatedIn",
        id="located-in-an-enterprise",
    ),
    pytest.param(
        f"DELETE {{ <{SUBPARK}> kg:partOf ?p }} INSERT {{ <{SUBPARK}> kg:partOf ?g }} "
        f"WHERE {{ <{SUBPARK}> kg:partOf ?p . ?g a kg:GovernmentBody }}",
        SUBPARK,
        "sh:class",
        KG + "partOf",
        id="park-part-of-a-government-body",
    ),
    pytest.param(
        f"DELETE {{ <{PERSON}> kg:holdsPost ?p }} INSERT {{ <{PERSON}> kg:holdsPost <{PARK}> }} "
        f"WHERE {{ <{PERSON}> kg:holdsPost ?p }}",
        PERSON,
        "sh:class",
        KG + "holdsPost",
        id="holds-post-that-is-a-park",
    ),
    pytest.param(
        f'DELETE {{ <{PLACE}> kg:placeLevel ?l }} INSERT {{ <{PLACE}> kg:placeLevel "county" }} '
        f"WHERE {{ <{PLACE}> kg:placeLevel ?l }}",
        PLACE,
        "sh:pattern",
        KG + "placeLevel",
        id="place-level-unknown",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{ARTICLE}> kg:headline ?h }}",
        ARTICLE,
        "sh:minCount",
        KG + "headline",
        id="article-without-headline",
    ),
    pytest.param(
        f"DELETE WHERE {{ <{SENTENCE}> kg:text ?t }}",
        SENTENCE,
        "sh:minCount",
        KG + "text",
        id="sentence-without-text",
    ),
    pytest.param(
        f'INSERT DATA {{ <{PARK}> kg:headline "不是报道" }}',
        PARK,
        "sh:class",
        None,
        id="headline-on-a-park",
    ),
]


def find(result: ValidationResult, focus: URIRef, component: str, path: str | None) -> bool:
    return any(
        v.focus == focus and v.component == component and (path is None or v.path == URIRef(path))
        for v in result.errors
    )


@pytest.mark.parametrize(("update", "focus", "component", "path"), MUTATIONS)
def test_mutation_is_caught(
    sample: Graph, shapes: Graph, update: str, focus: URIRef, component: str, path: str | None
) -> None:
    result = validate(mutated(sample, update), shapes=shapes)
    assert not result.conforms
    assert find(result, focus, component, path), format_report(result)
    for v in result.violations:
        assert v.message, v  # every shape says what is wrong


SPARQL_MUTATIONS = [p for p in MUTATIONS if p.values[2] == "sh:sparql"]


@pytest.mark.parametrize(("update", "focus", "component", "path"), SPARQL_MUTATIONS)
def test_batched_sparql_matches_pyshacl(
    sample: Graph, shapes: Graph, update: str, focus: URIRef, component: str, path: str | None
) -> None:
    """kg runs sh:sparql constraints once per graph; pyshacl once per node: same results."""
    graph = mutated(sample, update)

    def key(result: ValidationResult) -> set[tuple[object, ...]]:
        return {(v.focus, v.path, v.value, v.component, v.message, v.severity, v.shape) for v in result.violations}

    batched = validate(graph, shapes=shapes, engine="pyshacl")
    assert key(batched) == key(validate(graph, shapes=shapes, engine="pyshacl", batch_sparql=False))


# --- the Oxigraph engine (shapes compiled to SPARQL) against pyshacl, the reference ----------
# More planted violations, so that every shape of shapes.ttl breaks at least once (with MUTATIONS).

POLICY = URIRef(ID + "policy/%E6%95%B0%E8%B0%B7%E2%80%9C%E9%BB%84%E9%87%91%E5%8D%81%E6%9D%A1%E2%80%9D")
POST = URIRef(
    ID + "post/%E5%8D%97%E6%98%8C%E9%AB%98%E6%96%B0%E5%8C%BA%E5%85%9A%E5%B7%A5%E5%A7%94%E5%89%AF%E4%B9%A6%E8%AE%B0"
)
PLACE2 = URIRef(ID + "place/%E6%B1%9F%E8%A5%BF%E7%9C%81")  # 江西省

MORE_MUTATIONS = [
    pytest.param(  # every kind of relation is then without its kg:Evidence
        "DELETE { ?e ?p ?o } WHERE { ?e a kg:Evidence ; ?p ?o }", id="no-evidence-for-any-relation"
    ),
    pytest.param('INSERT DATA { _:p a kg:Park ; rdfs:label "无名园"@zh }', id="park-as-blank-node"),
    pytest.param(f'INSERT DATA {{ <{PARK}> skos:altLabel "Nanchang" }}', id="alt-label-untagged"),
    pytest.param(f"INSERT DATA {{ <{PARK}> kg:mentionedIn <{SENTENCE}> }}", id="mentioned-in-a-sentence"),
    pytest.param(f"INSERT DATA {{ <{METRIC}> kg:mentionedIn <{ARTICLE}> }}", id="metric-mentioned-in"),
    pytest.param(f'INSERT DATA {{ <{PLACE}> kg:placeLevel "city"@zh }}', id="place-level-tagged-and-twice"),
    pytest.param(f'INSERT DATA {{ <{PARK}> kg:placeLevel "city" }}', id="place-level-on-a-park"),
    pytest.param("INSERT DATA { _:post a kg:Post }", id="post-blank-and-empty"),
    pytest.param(
        f'INSERT DATA {{ <{POST}> rdfs:label "副书记"@zh ; kg:postTitle "副书记" ; kg:postIn <{PARK}> }}',
        id="post-too-much",
    ),
    pytest.param(f"INSERT DATA {{ <{POST}> kg:postIn <{METRIC}> }}", id="post-in-a-metric"),
    pytest.param(
        f'INSERT DATA {{ <{PARK}> kg:postIn <{PLACE}> ; kg:postTitle "书记"@zh }}', id="post-properties-on-a-park"
    ),
    pytest.param(
        f"INSERT DATA {{ <{POLICY}> kg:issuedBy <{ENTERPRISE}> . <{PLACE}> kg:issuedBy <{PARK}> }}",
        id="issued-by-wrong-ends",
    ),
    pytest.param(f"INSERT DATA {{ <{PLACE}> kg:achieves <{METRIC}> }}", id="achieves-from-a-place"),
    pytest.param(f"INSERT DATA {{ <{METRIC}> kg:locatedIn <{PLACE}> }}", id="located-in-from-a-metric"),
    pytest.param(f"INSERT DATA {{ <{PLACE}> kg:partOf <{PLACE2}> }}", id="part-of-places"),
    pytest.param(f"INSERT DATA {{ <{PARK}> kg:holdsPost <{POST}> }}", id="holds-post-from-a-park"),
    pytest.param(
        f'INSERT DATA {{ <{PARK}> kg:year "2023"^^xsd:gYear ; kg:text "句" ; kg:rule "r" ; kg:startOffset 1 }}',
        id="metric-sentence-evidence-offset-properties-on-a-park",
    ),
    pytest.param(
        f'INSERT DATA {{ <{METRIC}> kg:surfaceText "余"@zh ; kg:isTarget "yes" ; kg:growthOf <{PARK}> ; '
        f'rdfs:label "second"@en ; kg:indicator "output"@en }}',
        id="metric-properties-wrong",
    ),
    pytest.param(
        f'INSERT DATA {{ <{ARTICLE}> kg:headline <{PARK}> ; kg:author "某"@zh ; kg:caption <{PARK}> ; '
        f'kg:sourceFile 7 ; kg:articleIndex -1, "x"^^xsd:integer }}',
        id="article-properties-wrong",
    ),
    pytest.param(
        f'INSERT DATA {{ <{SENTENCE}> kg:text "又一句" ; kg:inArticle <{PARK}> ; kg:startOffset "9"^^xsd:decimal ; '
        f"kg:endOffset -3 }}",
        id="sentence-properties-wrong",
    ),
    pytest.param(
        f'DELETE WHERE {{ <{EV_HOSTS}> rdf:object ?o ; rdf:predicate ?p }} ; INSERT DATA {{ <{EV_HOSTS}> rdf:subject "园" ; '
        f'kg:article <{PARK}> ; kg:rule "r"@zh ; kg:confidence "0.5"^^xsd:double ; kg:sentence <{SENTENCE}> }}',
        id="evidence-properties-wrong",
    ),
    pytest.param(
        f"DELETE {{ <{EV_HOSTS}> kg:endOffset ?e }} INSERT {{ <{EV_HOSTS}> kg:endOffset 300 }} "
        f"WHERE {{ <{EV_HOSTS}> kg:endOffset ?e }}",
        id="evidence-span-outside-its-sentence",
    ),
]

ENGINE_CASES = [pytest.param(p.values[0], id=p.id) for p in MUTATIONS] + MORE_MUTATIONS


def engine_key(result: ValidationResult) -> list[tuple[object, ...]]:
    """Everything a result says but blank node identity (a blank focus node is compared by kind)
    and the lexical form of numbers: Oxigraph keeps numbers by value ("9"^^xsd:decimal is 9.0),
    so numbers compare by value, and so do the numbers a message quotes."""

    def node(term: object) -> object:
        if isinstance(term, BNode):
            return "_:"
        if isinstance(term, Literal) and term.datatype is not None and term.value is not None:
            return (term.value, term.datatype)
        return term

    def words(message: str) -> str:
        return re.sub(r"\d+\.0\b", lambda m: m.group(0)[:-2], message)

    return sorted(
        (
            (node(v.focus), v.label, node(v.path), v.component, node(v.value), words(v.message), v.severity, v.shape)
            for v in result.violations
        ),
        key=str,
    )


@pytest.mark.parametrize("update", ENGINE_CASES)
def test_oxigraph_engine_agrees_with_pyshacl(sample: Graph, shapes: Graph, update: str) -> None:
    """Same verdict, and the same results (focus, path, value, component, message, shape)."""
    graph = mutated(sample, "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + update)
    reference = validate(graph, shapes=shapes, engine="pyshacl", batch_sparql=False)
    fast = validate(graph, shapes=shapes, engine="oxigraph")
    assert reference.violations, "the mutation breaks no shape"
    assert fast.conforms == reference.conforms
    assert engine_key(fast) == engine_key(reference), format_report(fast) + "\n---\n" + format_report(reference)


def test_every_shape_is_broken_by_some_case(sample: Graph, shapes: Graph) -> None:
    """The cases above plant a violation of every shape that has constraints."""
    constrained = {
        s for s in shapes.subjects() if isinstance(s, URIRef) and str(s).startswith("https://w3id.org/parkkg/shapes#")
    }
    constrained -= {
        s
        for s in constrained
        if (s, SH.path, None) not in shapes
        and (s, SH.property, None) in shapes
        and not set(shapes.predicates(s)) - {RDF.type, SH.targetClass, SH.property}
    }
    broken: set[object] = set()
    for case in ENGINE_CASES:
        graph = mutated(sample, "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + case.values[0])
        result = validate(graph, shapes=shapes, engine="oxigraph")
        broken.update(v.shape for v in result.violations)
        for v in result.violations:  # a property shape inside a node shape counts for its node shape
            broken.update(shapes.subjects(SH.property, v.shape))
    assert constrained - broken == set()


@pytest.mark.parametrize(
    ("shapes_text", "feature"),
    [
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .", "sh:closed"),
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:T ] .", "sh:node"),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:uniqueLang true ] .",
            "sh:uniqueLang",
        ),
    ],
)
def test_shapes_the_compiler_does_not_take_go_to_pyshacl(sample: Graph, shapes_text: str, feature: str) -> None:
    """engine="oxigraph" names the feature; the default engine lets pyshacl run them."""
    other = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n" + shapes_text,
        format="turtle",
    )
    with pytest.raises(UsageError, match=feature):
        validate(sample, shapes=other, engine="oxigraph")
    assert validate(sample, shapes=other).conforms


TARGET_CASES = [
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p , ex:q ; sh:class ex:C .",
        "ex:a ex:p 1 ; ex:q 2 . ex:b ex:p 1 ; a ex:C . ex:c ex:q ex:a .",
        id="subjects-of-two-predicates",
    ),
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:p , ex:q ; sh:nodeKind sh:IRI .",
        'ex:a ex:p "x" ; ex:q "x" , ex:b . ex:b ex:q "y" .',
        id="objects-of-two-predicates",
    ),
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetClass ex:D ; sh:targetSubjectsOf ex:p ; sh:targetNode ex:z ;"
        " sh:class ex:C ; sh:nodeKind sh:IRI .",
        "ex:a a ex:D ; ex:p 1 , 2 . ex:b ex:p 3 ; a ex:C . ex:c a ex:D , ex:C . ex:d ex:p 4 .",
        id="class-subjects-and-node",
    ),
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p , ex:q ;"
        " sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:datatype xsd:integer ] ;"
        " sh:property [ sh:path ex:q ; sh:minCount 1 ] .",
        'ex:a ex:p 1 , 2 ; ex:q 1 . ex:b ex:p "x" . ex:c ex:q 3 , 4 . ex:d ex:p 5 , "y" .',
        id="property-shapes-under-subjects-of",
    ),
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:p ; sh:or ( [ sh:class ex:C ] [ sh:class ex:D ] ) .",
        'ex:a ex:p ex:b , "lit" , ex:c , ex:e , _:x . ex:b a ex:C . ex:c a ex:E . ex:e a ex:F .'
        " ex:E <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:D . _:x a ex:D .",
        id="one-of-two-classes-or-below",
    ),
]


# Screens (one query per node shape that clears its checks when it can find nothing, see
# kg.shacl._Compiler.screen): each case breaks constraints a screen covers, in the ways a screen
# could miss (two values of a property of at most one, a pair of single values, a node typed
# twice, a sequence path giving one value twice) beside constraints it leaves to the checks.
SCREEN_CASES = [
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;"
        " sh:property [ sh:path ex:start ; sh:maxCount 1 ; sh:lessThanOrEquals ex:end ] ;"
        " sh:property [ sh:path ex:end ; sh:maxCount 1 ] ;"
        " sh:property [ sh:path ex:a ; sh:maxCount 1 ; sh:equals ex:b ] ;"
        " sh:property [ sh:path ex:c ; sh:maxCount 1 ; sh:disjoint ex:d ] ;"
        " sh:property [ sh:path ex:lt ; sh:maxCount 1 ; sh:lessThan ex:end ] .",
        "ex:ok a ex:C ; ex:start 1 ; ex:end 2 ; ex:a ex:x ; ex:b ex:x ; ex:c ex:y ; ex:d ex:z ; ex:lt 1 ."
        " ex:bad a ex:C ; ex:start 3 ; ex:end 2 ; ex:a ex:x ; ex:b ex:y ; ex:c ex:y ; ex:d ex:y ; ex:lt 2 ."
        " ex:two a ex:C ; ex:start 1 ; ex:end 5 , 6 ; ex:a ex:x .",
        id="pairs-of-single-values",
    ),
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;"
        " sh:property [ sh:path ex:p ; sh:maxCount 0 ] ;"
        " sh:property [ sh:path ex:q ; sh:minCount 2 ; sh:maxCount 1 ] ;"
        " sh:property [ sh:path ex:r ; sh:minCount 1 ; sh:datatype xsd:integer ] ;"
        " sh:property [ sh:path ex:t ; sh:minCount 0 ; sh:maxCount 1 ; sh:in ( ex:u ex:w ) ] .",
        'ex:n1 a ex:C ; ex:p 1 ; ex:q 1 ; ex:r 1 , "x" ; ex:t ex:v . ex:n2 a ex:C ; ex:q 1 . ex:n3 a ex:C ; ex:r 2 ; ex:t ex:u .',
        id="counts-of-zero-and-two-and-many-values",
    ),
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetClass ex:C , ex:D ; sh:nodeKind sh:IRI ;"
        " sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 ; sh:class ex:E ] .",
        "ex:n a ex:C , ex:D ; ex:p ex:e . ex:e a ex:E . _:b a ex:C ; ex:p ex:e . ex:m a ex:D ; ex:p ex:e , ex:g .",
        id="node-typed-twice-and-a-blank-focus",
    ),
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:datatype xsd:integer ] .",
        "ex:n a ex:C ; ex:p 1 , 2 . ex:m a ex:C ; ex:p 3 .",
        id="only-a-second-value",
    ),
    pytest.param(
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;"
        " sh:property [ sh:path ( ex:p ex:q ) ; sh:maxCount 1 ; sh:nodeKind sh:IRI ] ;"
        " sh:property [ sh:path ex:r ; sh:maxCount 1 ; sh:hasValue ex:h ] ;"
        " sh:property [ sh:path ex:s ; sh:maxCount 1 ; sh:qualifiedValueShape [ sh:class ex:E ] ; sh:qualifiedMinCount 1 ] .",
        "ex:n a ex:C ; ex:p ex:a1 , ex:a2 ; ex:r ex:h ; ex:s ex:e . ex:a1 ex:q ex:v . ex:a2 ex:q ex:v . ex:e a ex:E ."
        ' ex:m a ex:C ; ex:p ex:a3 ; ex:r ex:other ; ex:s ex:f . ex:a3 ex:q "v" .',
        id="sequence-path-has-value-and-qualified",
    ),
    # Domain shapes cleared by the counts of the class shapes' screens (kg.shacl.Domain): a
    # subject outside the classes, one typed twice beside it (the counts would balance), a
    # subclass, a class whose shape does not count the predicate.
    pytest.param(
        "ex:CS a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] ."
        " ex:DS a sh:NodeShape ; sh:targetClass ex:D ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] ."
        " ex:Dom a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:or ( [ sh:class ex:C ] [ sh:class ex:D ] ) .",
        "ex:a a ex:C ; ex:p 1 . ex:b a ex:C , ex:D ; ex:p 2 . ex:c ex:p 3 . ex:d a ex:D .",
        id="domain-typed-twice-beside-an-untyped-subject",
    ),
    pytest.param(
        "ex:CS a sh:NodeShape ; sh:targetClass ex:C ;"
        " sh:property [ sh:path ex:p ; sh:maxCount 1 ] , [ sh:path ex:q ; sh:maxCount 1 ] ."
        " ex:Dom a sh:NodeShape ; sh:targetSubjectsOf ex:p , ex:q ; sh:class ex:C .",
        "ex:a a ex:C ; ex:p 1 ; ex:q 1 . ex:b a ex:E ; ex:p 2 . ex:c ex:q 3 . ex:d a ex:C ."
        " ex:E <http://www.w3.org/2000/01/rdf-schema#subClassOf> ex:C . ex:e a ex:F ; ex:q 4 .",
        id="domain-of-two-predicates-with-a-subclass",
    ),
]


@pytest.mark.parametrize(("shapes_text", "data"), TARGET_CASES + SCREEN_CASES)
def test_targets_agree_with_pyshacl(shapes_text: str, data: str) -> None:
    """Several targets of one shape (their focus nodes repeated in the query) give each result
    once; constraints a screen covers are reported as when they run alone."""
    head = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> ."
        " @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    )
    other = Graph().parse(data=head + shapes_text, format="turtle")
    graph = Graph().parse(data=head + data, format="turtle")
    reference = validate(graph, shapes=other, engine="pyshacl", batch_sparql=False)
    fast = validate(graph, shapes=other, engine="oxigraph")
    assert reference.violations, "the case breaks no shape"
    assert fast.conforms == reference.conforms

    def key(result: ValidationResult) -> list[tuple[object, ...]]:
        return [k[:5] + k[6:] for k in engine_key(result)]  # the default messages are the engines' own

    assert key(fast) == key(reference), format_report(fast) + "\n---\n" + format_report(reference)


def test_domain_errors_survive_rdfs_inference(sample: Graph, shapes: Graph) -> None:
    """Inference must not 'repair' a misused property by typing its subject from rdfs:domain."""
    graph = mutated(sample, f"INSERT DATA {{ <{METRIC}> kg:hosts <{METRIC2}> }}")
    result = validate(graph, shapes=shapes, inference="rdfs")
    assert find(result, METRIC, "sh:class", None), format_report(result)


def test_span_outside_sentence_is_only_a_warning(sample: Graph, shapes: Graph) -> None:
    graph = mutated(
        sample,
        f"DELETE {{ <{EV_HOSTS}> kg:endOffset ?e }} INSERT {{ <{EV_HOSTS}> kg:endOffset 300 }} "
        f"WHERE {{ <{EV_HOSTS}> kg:endOffset ?e }}",
    )
    result = validate(graph, shapes=shapes)
    assert result.conforms
    assert [(v.focus, v.severity) for v in result.violations] == [(EV_HOSTS, "Warning")]
    assert format_report(result).splitlines()[-1] == "conforms (1 warning)"


# --- the report ------------------------------------------------------------------------------


def test_report_lines_are_readable(sample: Graph, shapes: Graph) -> None:
    graph = mutated(sample, f"INSERT DATA {{ <{PARK}> kg:hosts <{METRIC}> }}")
    report = format_report(validate(graph, shapes=shapes))
    lines = report.splitlines()
    assert "✗ 南昌高新区 (park:南昌高新区)  kg:hosts → metric:park-1: value must be a kg:Enterprise (sh:class)" in lines
    assert lines[-1] == "2 violations"  # wrong range, and no evidence


def test_report_uses_instance_prefixes_without_bindings(sample: Graph, shapes: Graph) -> None:
    graph = Graph(bind_namespaces="none")
    for triple in sample:
        graph.add(triple)
    graph.update(PREFIXES + f"DELETE WHERE {{ <{ENTERPRISE}> rdfs:label ?l }}")
    report = format_report(validate(graph, shapes=shapes))
    assert "✗ enterprise:江西珉轩智能科技有限公司  rdfs:label:" in report
    assert report.endswith("1 violation")


def test_ensure_valid_raises_with_the_report(sample: Graph, shapes: Graph) -> None:
    ensure_valid(sample, shapes=shapes)
    with pytest.raises(ValidationError, match="1 violation"):
        ensure_valid(mutated(sample, f"DELETE WHERE {{ <{ARTICLE}> kg:headline ?h }}"), shapes=shapes)


def test_unknown_inference_is_a_usage_error(sample: Graph) -> None:
    with pytest.raises(UsageError, match="inference"):
        validate(sample, inference="magic")


def test_invalid_shacl_is_reported(sample: Graph) -> None:
    bad = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/x> ;
            sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } }" ] .
        """,
        format="turtle",
    )
    with pytest.raises(GraphParseError, match="shapes"):
        validate(sample, shapes=bad)


# --- reading RDF files -------------------------------------------------------------------------

BROKEN = [
    pytest.param(
        "broken.ttl", '@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:d ex:e "中文" ex:f .\n', 3, 16, id="turtle"
    ),
    pytest.param(
        "broken.ttl",
        '@prefix ex: <http://e/> .\nex:a ex:b "x\nex:c ex:d ex:e .\n',
        2,
        13,
        id="turtle-newline-in-string",
    ),
    pytest.param(
        "broken.nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> c .\n", 2, None, id="ntriples"
    ),
    pytest.param(
        "broken.nq", "<http://a> <http://b> <http://c> <http://g> .\n\n<http://a> <http://b> .\n", 3, None, id="nquads"
    ),
    pytest.param(
        "broken.trig", "@prefix ex: <http://e/> .\nex:g {\n ex:a ex:b ex:c .\n ex:d ex:e . }\n", 4, None, id="trig"
    ),
    pytest.param("broken.jsonld", '{"@id": "http://a",\n "http://b": [1,,]}', 2, 17, id="jsonld"),
    pytest.param(
        "broken.rdf",
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description></rdf:RDF>',
        2,
        None,
        id="rdfxml",
    ),
]


@pytest.mark.parametrize(("name", "text", "line", "column"), BROKEN)
def test_parse_error_names_file_line_and_column(
    tmp_path: Path, name: str, text: str, line: int, column: int | None
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GraphParseError) as info:
        load_graph(path)
    err = info.value
    assert str(path) in str(err)
    assert err.line == line, str(err)  # type: ignore[attr-defined]
    assert f"{path}:{line}" in str(err)
    if column is not None:
        assert err.column == column, str(err)  # type: ignore[attr-defined]


def test_malformed_shapes_file_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "my-shapes.ttl"
    path.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<a> a sh:NodeShape ;;\n", encoding="utf-8")
    with pytest.raises(GraphParseError, match=r"my-shapes\.ttl:3"):
        load_shapes(path)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        pytest.param("missing.ttl", None, "no such file", id="missing"),
        pytest.param("empty.ttl", b"", "empty", id="empty"),
        pytest.param("latin1.ttl", '<a> <b> "caf\xe9" .'.encode("latin-1"), "UTF-8", id="not-utf8"),
        pytest.param("graph.xyz", b"<a> <b> <c> .", "suffix", id="unknown-suffix"),
    ],
)
def test_unreadable_files_are_input_errors(tmp_path: Path, name: str, content: bytes | None, reason: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        load_graph(path)


@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")  # rdflib's serializers use deprecated rdflib APIs
@pytest.mark.parametrize("suffix", [".nt", ".jsonld", ".trig", ".nq", ".rdf"])
def test_round_trip_formats(tmp_path: Path, sample: Graph, suffix: str) -> None:
    fmt = {".nt": "nt", ".jsonld": "json-ld", ".trig": "trig", ".nq": "nquads", ".rdf": "xml"}[suffix]
    path = tmp_path / f"sample{suffix}"
    if fmt in ("trig", "nquads"):
        from rdflib import Dataset

        ds = Dataset()
        named = ds.graph(URIRef("http://example.org/g"))
        for triple in sample:
            named.add(triple)
        ds.serialize(path, format=fmt, encoding="utf-8")
    else:
        sample.serialize(path, format=fmt, encoding="utf-8")
    assert len(load_graph(path)) == len(sample)


def test_import_is_quiet_and_lazy() -> None:
    code = "import sys, kg.validate; assert 'pyshacl' not in sys.modules, 'pyshacl imported eagerly'"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_validate_a_turtle_file_cut_short_says_where(tmp_path, seed_graph):
    """rdflib fails on some cut-off Turtle with a bare IndexError; the message still gives a line."""
    from kg.export import serialize
    from kg.validate import load_graph

    text = serialize(seed_graph, "turtle")
    cut = next(n for n in range(len(text) // 2, len(text)) if _rdflib_index_error(text[:n]))
    path = tmp_path / "cut.ttl"
    path.write_text(text[:cut], encoding="utf-8")
    with pytest.raises(GraphParseError) as caught:
        load_graph(path)
    assert re.search(r"cut\.ttl:\d+", str(caught.value)), str(caught.value)


def _rdflib_index_error(text: str) -> bool:
    import warnings

    from rdflib import Graph

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Graph().parse(data=text, format="turtle")
    except IndexError:
        return True
    except Exception:  # noqa: BLE001 - any other parse error is not the case looked for
        return False
    return False


@pytest.mark.parametrize(
    "path, query, report",
    [
        ("kg:text", "<https://w3id.org/parkkg/ontology#text>", "kg:text"),
        (
            "( kg:sentence kg:inArticle )",
            "<https://w3id.org/parkkg/ontology#sentence>/<https://w3id.org/parkkg/ontology#inArticle>",
            "kg:sentence/kg:inArticle",
        ),
        ("[ sh:inversePath kg:hosts ]", "^<https://w3id.org/parkkg/ontology#hosts>", "^kg:hosts"),
        (
            "[ sh:inversePath ( kg:a kg:b ) ]",
            "^(<https://w3id.org/parkkg/ontology#a>/<https://w3id.org/parkkg/ontology#b>)",
            "^(kg:a/kg:b)",
        ),
        ("[ sh:zeroOrMorePath kg:partOf ]", "<https://w3id.org/parkkg/ontology#partOf>*", "kg:partOf*"),
        (
            "[ sh:alternativePath ( kg:a [ sh:oneOrMorePath kg:b ] ) ]",
            "<https://w3id.org/parkkg/ontology#a>|(<https://w3id.org/parkkg/ontology#b>+)",
            "kg:a|(kg:b+)",
        ),
    ],
)
def test_one_path_writer_for_the_check_and_the_report(path, query, report):
    """The fast check's SPARQL and the report's text come from one rendering of a SHACL path."""
    from rdflib.namespace import SH

    from kg.shacl import sparql_path
    from kg.validate import _copy_path

    shapes = Graph().parse(
        data=f"@prefix sh: <{SH}> . @prefix kg: <https://w3id.org/parkkg/ontology#> . <urn:s> sh:path {path} .",
        format="turtle",
    )
    node = shapes.value(URIRef("urn:s"), SH.path)
    assert sparql_path(shapes, node) == query
    shown = _copy_path(shapes, node, {"kg": "https://w3id.org/parkkg/ontology#"})
    assert (str(shown) if not isinstance(shown, URIRef) else "kg:" + shown.split("#")[1]) == report


@pytest.mark.parametrize("threads", [2, 3])
def test_threads_report_the_same_findings_in_the_same_order(sample: Graph, shapes: Graph, threads: int) -> None:
    """Queries run side by side, findings still come check by check, in the order of the checks
    (within one check Oxigraph's rows come in no fixed order, with one thread too)."""
    graph = sample
    for case in ENGINE_CASES:  # every planted violation at once
        graph = mutated(graph, "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + case.values[0])
    store = ox_store(graph)
    checks = compile_shapes(shapes, store)
    position = {id(check): number for number, check in enumerate(checks)}

    def keys(findings: Iterable[Finding]) -> list[tuple[int, str]]:
        return [
            (position[id(f.check)], str((f.component, f.focus, f.value, f.path, sorted(f.bindings.items()))))
            for f in findings
        ]

    alone = keys(run_checks(checks, store, threads=1))
    together = keys(run_checks(checks, store, threads=threads))
    assert len({number for number, _ in alone}) > 20
    assert [number for number, _ in together] == [number for number, _ in alone]
    assert sorted(together) == sorted(alone)


def test_screens_clear_the_checks_of_a_conforming_graph(
    sample: Graph, shapes: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a graph that conforms, the checks a screen covers do not run (most of kg's checks:
    every constraint of kg:Evidence, kg:Sentence and kg:Metric), and the verdict stands."""
    import kg.shacl

    store = ox_store(sample)
    checks = compile_shapes(shapes, store)
    screened = {str(check.shape) for check in checks if check.screen is not None}
    for shape in ("EvidenceShape", "SentenceShape", "MetricShape", "EntityShape"):
        node = URIRef("https://w3id.org/parkkg/shapes#" + shape)
        assert screened & {str(node), *map(str, shapes.objects(node, SH.property))}, shape
    asked: list[str] = []
    run = kg.shacl._rows
    monkeypatch.setattr(kg.shacl, "_rows", lambda store, query, union: asked.append(query) or run(store, query, union))
    assert list(run_checks(checks, store)) == []
    skipped = {check.query for check in checks if check.screen is not None} - {
        check.query for check in checks if check.screen is None
    }
    assert len(skipped) > 20
    assert not skipped & set(asked)
    domains = {str(check.shape).rpartition("#")[2] for check in checks if check.domain is not None}
    assert {"EvidencePropertiesDomain", "OffsetsDomain", "SentencePropertiesDomain"} <= domains
    assert not {check.query for check in checks if check.domain is not None} & set(asked)
    assert validate(sample, shapes=shapes, engine="oxigraph").conforms
