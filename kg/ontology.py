"""The closed vocabulary of kg: every ontology term the code may use.

Terms come from one :class:`rdflib.namespace.DefinedNamespace`, so a typo such as
``KG.host`` fails at once instead of minting a wrong IRI. ``tests/test_ontology.py``
checks that this list and ``ontology/kg.ttl`` never drift apart.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = ["KG", "KG_NS", "DEFAULT_BASE_IRI", "QUDT", "UNIT", "ORG", "PROV", "SCHEMA", "UNITS"]

KG_NS = "https://w3id.org/parkkg/ontology#"
DEFAULT_BASE_IRI = "https://w3id.org/parkkg/id/"

QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")


class KG(DefinedNamespace):
    """Classes, properties and individuals of the kg ontology."""

    _fail = True
    _NS = Namespace(KG_NS)

    # Classes
    Park: URIRef
    Enterprise: URIRef
    Policy: URIRef
    Person: URIRef
    GovernmentBody: URIRef
    Place: URIRef
    Metric: URIRef
    Article: URIRef
    Sentence: URIRef
    Evidence: URIRef
    Post: URIRef
    Qualifier: URIRef

    # Relations between entities
    hosts: URIRef
    issues: URIRef
    achieves: URIRef
    locatedIn: URIRef
    partOf: URIRef
    issuedBy: URIRef
    holdsPost: URIRef
    postIn: URIRef
    postTitle: URIRef
    mentionedIn: URIRef
    placeLevel: URIRef

    # Metrics
    indicator: URIRef
    qualifier: URIRef
    year: URIRef
    surfaceText: URIRef
    growthOf: URIRef
    isTarget: URIRef

    # Articles and sentences
    headline: URIRef
    author: URIRef
    caption: URIRef
    sourceFile: URIRef
    articleIndex: URIRef
    text: URIRef
    inArticle: URIRef
    startOffset: URIRef
    endOffset: URIRef

    # Evidence (provenance of one extracted statement)
    article: URIRef
    sentence: URIRef
    rule: URIRef
    confidence: URIRef

    # Individuals: qualifiers of a reported figure
    MoreThan: URIRef
    AtLeast: URIRef
    Approximately: URIRef
    LessThan: URIRef
    AtMost: URIRef

    # Individuals: units QUDT does not define
    Mu: URIRef
    PercentagePoint: URIRef
    PersonCount: URIRef


#: Unit codes used by the extractor and the gold files, mapped to unit IRIs.
UNITS: dict[str, URIRef] = {
    "CNY": UNIT["CCY_CNY"],
    "USD": UNIT["CCY_USD"],
    "percent": UNIT["PERCENT"],
    "percentage_point": KG.PercentagePoint,
    "tonne": UNIT["TONNE"],
    "m2": UNIT["M2"],
    "mu": KG.Mu,
    "hectare": UNIT["HA"],
    "km": UNIT["KiloM"],
    "kWh": UNIT["KiloW-HR"],
    "kW": UNIT["KiloW"],
    "person": KG.PersonCount,
    "count": UNIT["NUM"],
}
