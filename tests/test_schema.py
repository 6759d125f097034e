"""The schema table (kg.schema) and the ontology (ontology/kg.ttl) say the same thing."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection

from kg import schema
from kg.errors import UsageError
from kg.ontology import INSTANCE_FOLDERS, KG_NS

ONTOLOGY = Graph().parse(Path(__file__).resolve().parent.parent / "ontology" / "kg.ttl")


def classes_of(node) -> set[str]:
    """The class names a domain or range names: one class, or an owl:unionOf list."""
    union = ONTOLOGY.value(node, OWL.unionOf)
    members = list(Collection(ONTOLOGY, union)) if union is not None else [node]
    return {str(member)[len(KG_NS) :] for member in members}


@pytest.mark.parametrize("name", list(schema.CLASSES))
def test_every_class_is_in_the_ontology_with_its_label(name):
    entity_class = schema.CLASSES[name]
    iri = URIRef(KG_NS + name)
    assert (iri, RDF.type, OWL.Class) in ONTOLOGY
    assert Literal(entity_class.en, lang="en") in set(ONTOLOGY.objects(iri, RDFS.label))
    assert entity_class.folder in INSTANCE_FOLDERS


@pytest.mark.parametrize("name", list(schema.RELATIONS))
def test_every_relation_is_in_the_ontology_with_its_domain_and_range(name):
    relation = schema.RELATIONS[name]
    iri = URIRef(KG_NS + name)
    assert (iri, RDF.type, OWL.ObjectProperty) in ONTOLOGY
    assert Literal(relation.en, lang="en") in set(ONTOLOGY.objects(iri, RDFS.label))
    assert classes_of(ONTOLOGY.value(iri, RDFS.domain)) == set(relation.domain)
    assert classes_of(ONTOLOGY.value(iri, RDFS.range)) == set(relation.range)


def test_selections():
    assert schema.class_names(scored=True) == ("Park", "Enterprise", "Policy", "Person", "GovernmentBody", "Place")
    assert schema.relation_names(scored=True) == ("hosts", "issues", "locatedIn", "partOf", "holdsPost")
    assert schema.relation_names(counted=True) == ("hosts", "issues", "achieves", "locatedIn", "partOf", "holdsPost")
    assert "Post" not in schema.class_names(network=True)


@pytest.mark.parametrize(
    "relation, message",
    [
        (schema.Relation("owns", "拥有", "owns", ("Enterprise",), ("Factory",), "#000", 1.0), "unknown class Factory"),
        (schema.Relation("owns it", "拥有", "owns", ("Enterprise",), ("Enterprise",), "#000", 1.0), "kg:owns it"),
    ],
)
def test_a_bad_relation_is_refused_with_the_reason(relation, message):
    with pytest.raises(UsageError, match=message):
        schema.register_relation(relation)
    assert relation.name not in schema.RELATIONS


def test_the_mention_types_are_the_scored_classes():
    from typing import get_args

    from kg.model import EntityType

    assert get_args(EntityType) == schema.class_names(scored=True)
