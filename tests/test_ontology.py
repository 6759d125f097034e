"""The ontology file, the closed namespace ``kg.ontology.KG`` and the generated docs agree."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH

from kg import ontology_docs
from kg.ontology import KG, KG_NS, ORG, PROV, QUDT, SCHEMA, UNITS
from kg.validate import load_ontology, load_shapes

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
DATA_DIR = ROOT / "kg" / "_data"
SAMPLE = ROOT / "tests" / "data" / "valid_sample.ttl"

ONTOLOGY_IRI = URIRef("https://w3id.org/parkkg/ontology")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")  # (rdflib's XSD warns under pytest collection)
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # where owlrl records inconsistencies

KG_NAMES: list[str] = list(KG.__annotations__)
# Capitalised KG names are classes, except these individuals (qualifiers and units).
INDIVIDUAL_NAMES = [
    "MoreThan",
    "AtLeast",
    "Approximately",
    "LessThan",
    "AtMost",
    "Mu",
    "PercentagePoint",
    "PersonCount",
]
CLASS_NAMES = [n for n in KG_NAMES if n[0].isupper() and n not in INDIVIDUAL_NAMES]
PROPERTY_NAMES = [n for n in KG_NAMES if n[0].islower()]
TERM_KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def kg_iris(graph: Graph) -> set[URIRef]:
    """Every IRI in the kg namespace used anywhere in ``graph``."""
    return {term for triple in graph for term in triple if isinstance(term, URIRef) and str(term).startswith(KG_NS)}


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, SHAPES_FILE, SAMPLE], ids=lambda p: p.name)
def test_parses_in_rdflib(path: Path) -> None:
    assert len(Graph().parse(path, format="turtle")) > 0


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, SHAPES_FILE, SAMPLE], ids=lambda p: p.name)
def test_parses_in_oxigraph_with_the_same_triple_count(path: Path) -> None:
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(quads) == len(Graph().parse(path, format="turtle"))


def test_ontology_header(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/parkkg/ontology/0.1.0")
    assert onto.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    for prop in (DCTERMS.title, DCTERMS.description):
        langs = {lit.language for lit in onto.objects(ONTOLOGY_IRI, prop)}
        assert {"zh", "en"} <= langs, prop
    assert onto.value(ONTOLOGY_IRI, DCTERMS.license) is not None


# --- no drift between kg.ontology.KG and kg.ttl ----------------------------------------------


@pytest.mark.parametrize("name", KG_NAMES)
def test_every_KG_term_is_declared(onto: Graph, name: str) -> None:
    term = URIRef(KG_NS + name)
    kinds = set(onto.objects(term, RDF.type)) & TERM_KINDS
    assert kinds, f"kg:{name} is in kg.ontology.KG but not declared in ontology/kg.ttl"


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_classes_are_owl_classes(onto: Graph, name: str) -> None:
    assert (KG[name], RDF.type, OWL.Class) in onto


@pytest.mark.parametrize("name", PROPERTY_NAMES)
def test_properties_have_kind_domain_and_range(onto: Graph, name: str) -> None:
    prop = KG[name]
    kinds = set(onto.objects(prop, RDF.type))
    assert len(kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}) == 1, kinds
    assert onto.value(prop, RDFS.domain) is not None, f"kg:{name} has no rdfs:domain"
    assert onto.value(prop, RDFS.range) is not None, f"kg:{name} has no rdfs:range"


@pytest.mark.parametrize("name", INDIVIDUAL_NAMES)
def test_individuals_are_typed(onto: Graph, name: str) -> None:
    types = set(onto.objects(KG[name], RDF.type))
    assert OWL.NamedIndividual in types
    assert types & {KG.Qualifier, QUDT.Unit}, types


def test_no_kg_term_outside_KG(onto: Graph, shapes: Graph) -> None:
    known = {URIRef(KG_NS + n) for n in KG_NAMES}
    assert kg_iris(onto) - known == set(), "kg.ttl uses kg: terms missing from kg.ontology.KG"
    assert kg_iris(shapes) - known == set(), "shapes.ttl uses kg: terms missing from kg.ontology.KG"


@pytest.mark.parametrize("name", KG_NAMES)
@pytest.mark.parametrize("prop", [RDFS.label, RDFS.comment], ids=["label", "comment"])
def test_labels_and_comments_in_zh_and_en(onto: Graph, name: str, prop: URIRef) -> None:
    values = [v for v in onto.objects(KG[name], prop) if isinstance(v, Literal)]
    langs = sorted(v.language or "" for v in values)
    assert langs == ["en", "zh"], f"kg:{name} {prop}: want exactly one @zh and one @en, got {langs}"


@pytest.mark.parametrize("code", sorted(UNITS))
def test_every_unit_has_labels(onto: Graph, code: str) -> None:
    unit = UNITS[code]
    assert (unit, RDF.type, QUDT.Unit) in onto
    langs = {v.language for v in onto.objects(unit, RDFS.label) if isinstance(v, Literal)}
    assert {"zh", "en"} <= langs, f"{unit} ({code}) needs rdfs:label @zh and @en"


def test_shapes_allow_exactly_the_UNITS(shapes: Graph) -> None:
    lists = [
        set(shapes.items(node))
        for shape in shapes.subjects(SH.path, QUDT.unit)
        for node in shapes.objects(shape, SH["in"])
    ]
    assert lists == [set(UNITS.values())]


def test_mu_converts_to_square_metres(onto: Graph) -> None:
    assert onto.value(KG.Mu, QUDT.conversionMultiplier) == Literal("666.6666666666667", datatype=XSD_DECIMAL)
    assert onto.value(KG.Mu, QUDT.hasQuantityKind) == URIRef("http://qudt.org/vocab/quantitykind/Area")


# --- alignments ------------------------------------------------------------------------------

ALIGNMENTS = [
    (KG.Park, RDFS.subClassOf, SCHEMA.Place),
    (KG.Park, RDFS.subClassOf, SCHEMA.AdministrativeArea),
    (KG.Enterprise, RDFS.subClassOf, SCHEMA.Organization),
    (KG.Enterprise, RDFS.subClassOf, ORG.FormalOrganization),
    (KG.GovernmentBody, RDFS.subClassOf, SCHEMA.GovernmentOrganization),
    (KG.GovernmentBody, RDFS.subClassOf, ORG.Organization),
    (KG.Policy, RDFS.subClassOf, SCHEMA.Legislation),
    (KG.Person, OWL.equivalentClass, SCHEMA.Person),
    (KG.Place, RDFS.subClassOf, SCHEMA.Place),
    (KG.Article, RDFS.subClassOf, SCHEMA.NewsArticle),
    (KG.Article, RDFS.subClassOf, PROV.Entity),
    (KG.Post, RDFS.subClassOf, ORG.Post),
    (KG.Metric, RDFS.subClassOf, QUDT.QuantityValue),
    (KG.Evidence, RDFS.subClassOf, RDF.Statement),
    (KG.Evidence, RDFS.subClassOf, PROV.Entity),
    (KG.holdsPost, RDFS.subPropertyOf, ORG.holds),
    (KG.postIn, RDFS.subPropertyOf, ORG.postIn),
    (KG.headline, RDFS.subPropertyOf, SCHEMA.headline),
    (KG.text, RDFS.subPropertyOf, SCHEMA.text),
    (KG.article, RDFS.subPropertyOf, PROV.wasDerivedFrom),
    (KG.partOf, RDFS.subPropertyOf, DCTERMS.isPartOf),
    (KG.issuedBy, OWL.inverseOf, KG.issues),
    (KG.mentionedIn, OWL.inverseOf, SCHEMA.mentions),
    (KG.author, RDF.type, OWL.DatatypeProperty),
]


@pytest.mark.parametrize("triple", ALIGNMENTS, ids=lambda t: f"{t[0].n3()} {t[1].n3()} {t[2].n3()}")
def test_alignment(onto: Graph, triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple in onto


@pytest.mark.parametrize(
    ("prop", "members"),
    [
        (KG.issues, {KG.Park, KG.GovernmentBody}),
        (KG.achieves, {KG.Park, KG.Enterprise}),
        (KG.locatedIn, {KG.Park, KG.Enterprise, KG.GovernmentBody, KG.Place}),
    ],
)
def test_union_domains(onto: Graph, prop: URIRef, members: set[URIRef]) -> None:
    domain = onto.value(prop, RDFS.domain)
    assert isinstance(domain, BNode)
    assert set(onto.items(onto.value(domain, OWL.unionOf))) == members


# --- package data and generated docs ---------------------------------------------------------


@pytest.mark.parametrize("name", ontology_docs.DATA_FILES)
def test_package_data_is_a_byte_identical_copy(name: str) -> None:
    assert (DATA_DIR / name).read_bytes() == (ONTOLOGY_DIR / name).read_bytes(), (
        f"kg/_data/{name} differs from ontology/{name}: run `python -m kg.ontology_docs --sync`"
    )


def test_packaged_graphs_load() -> None:
    assert isomorphic(load_ontology(), Graph().parse(ONTOLOGY_FILE, format="turtle"))
    assert isomorphic(load_shapes(), Graph().parse(SHAPES_FILE, format="turtle"))


def test_generated_docs_are_up_to_date() -> None:
    stale = ontology_docs.stale_files(ONTOLOGY_DIR, DATA_DIR)
    assert stale == [], "stale: " + ", ".join(map(str, stale)) + "; run `python -m kg.ontology_docs`"


def test_check_command_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert ontology_docs.main(["--check"]) == 0


def test_check_command_fails_on_stale_readme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("kg.ttl", "shapes.ttl", "README.md", "schema.md"):
        (tmp_path / name).write_bytes((ONTOLOGY_DIR / name).read_bytes())
    (tmp_path / "README.md").write_text("hand-edited\n", encoding="utf-8")
    assert ontology_docs.main(["--check", "--ontology-dir", str(tmp_path)]) == 1
    assert "README.md" in capsys.readouterr().err


@pytest.mark.parametrize("name", CLASS_NAMES + PROPERTY_NAMES)
def test_readme_lists_every_class_and_property(name: str) -> None:
    assert f"`kg:{name}`" in (ONTOLOGY_DIR / "README.md").read_text(encoding="utf-8")


def test_diagram_draws_the_relations(onto: Graph) -> None:
    diagram = ontology_docs.render_diagram(onto)
    assert diagram.startswith("classDiagram")
    for edge in ("Park --> Enterprise : hosts", "GovernmentBody --> Policy : issues", "Person --> Post : holdsPost"):
        assert edge in diagram


# --- OWL RL consistency ----------------------------------------------------------------------


def owlrl_errors(graph: Graph) -> list[str]:
    """Expand ``graph`` under OWL 2 RL; return owlrl's inconsistency messages."""
    import owlrl

    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    messages = [str(graph.value(m, ERR.error)) for m in graph.subjects(RDF.type, ERR.ErrorMessage)]
    messages += [f"{s} is an owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing)]
    return messages


def test_owlrl_closure_of_ontology_and_sample_is_consistent() -> None:
    graph = Graph().parse(ONTOLOGY_FILE, format="turtle").parse(SAMPLE, format="turtle")
    assert owlrl_errors(graph) == []


def test_owlrl_finds_a_planted_inconsistency() -> None:
    """Control: the check above would notice a real clash (an enterprise that hosts a metric)."""
    graph = Graph().parse(ONTOLOGY_FILE, format="turtle").parse(SAMPLE, format="turtle")
    graph.update(
        "PREFIX kg: <https://w3id.org/parkkg/ontology#> "
        "INSERT { ?e kg:hosts ?m } WHERE { ?e a kg:Enterprise ; kg:achieves ?m }"
    )
    errors = owlrl_errors(graph)
    assert any("Disjoint classes" in e for e in errors), errors
