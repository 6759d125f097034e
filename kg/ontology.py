"""The closed vocabulary of kg: every ontology term the code may use.

Terms come from one :class:`rdflib.namespace.DefinedNamespace`, so a typo such as
``KG.host`` fails at once instead of minting a wrong IRI. ``tests/test_ontology.py``
checks that this list and ``ontology/kg.ttl`` never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from .schema import CLASSES

__all__ = [
    "KG", "KG_NS", "DEFAULT_BASE_IRI", "INSTANCE_FOLDERS", "QUDT", "UNIT", "ORG", "PROV", "SCHEMA", "UNITS",
    "instance_prefixes", "short_iri", "expand_iri",
]  # fmt: skip

KG_NS = "https://w3id.org/parkkg/ontology#"
DEFAULT_BASE_IRI = "https://w3id.org/parkkg/id/"

#: The folders under the base IRI that hold kg's instances (``park/南昌高新区``); each has a
#: prefix of the same name (``park:南昌高新区``) in every Turtle file, query and table.
INSTANCE_FOLDERS = (*(entity_class.folder for entity_class in CLASSES.values()), "article", "evidence")

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


def instance_prefixes(base_iri: str = DEFAULT_BASE_IRI) -> dict[str, str]:
    """``kgr:`` for ``base_iri`` and one prefix per folder of :data:`INSTANCE_FOLDERS`."""
    return {"kgr": base_iri, **{name: f"{base_iri}{name}/" for name in INSTANCE_FOLDERS}}


# A prefixed name's local part that Turtle and SPARQL read without backslash escapes (PN_LOCAL
# less PN_LOCAL_ESC), so that rdflib, Oxigraph and Jena all take it back unchanged.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLAIN_LOCAL = re.compile(
    f"(?:[{_PN_CHARS_BASE}_:0-9]|%[0-9A-Fa-f]{{2}})"
    f"(?:(?:[{_PN_CHARS}.:]|%[0-9A-Fa-f]{{2}})*(?:[{_PN_CHARS}:]|%[0-9A-Fa-f]{{2}}))?"
)
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:(\S*)")
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def short_iri(iri: str, prefixes: Mapping[str, str]) -> str:
    """``iri`` as it can be pasted back into a query, ``--param`` or ``--focus``.

    A prefixed name (``park:南昌高新区``) with the longest namespace of ``prefixes`` when its
    local part needs no backslash escapes, else the whole IRI in angle brackets.
    """
    best = max(
        ((prefix, ns) for prefix, ns in prefixes.items() if ns and iri.startswith(ns) and len(iri) > len(ns)),
        key=lambda item: len(item[1]),
        default=None,
    )
    if best is not None and _PLAIN_LOCAL.fullmatch(iri[len(best[1]) :]):
        return f"{best[0]}:{iri[len(best[1]) :]}"
    return f"<{iri}>"


def expand_iri(text: str, prefixes: Mapping[str, str]) -> str | None:
    """The IRI that ``text`` writes (``<…>``, or ``prefix:local`` with a prefix of ``prefixes``,
    backslash escapes allowed), or None when it writes none."""
    text = text.strip()
    if len(text) > 2 and text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    match = _PREFIXED.fullmatch(text)
    if match and (match.group(1) or "") in prefixes and match.group(2):
        return prefixes[match.group(1) or ""] + _LOCAL_ESCAPE.sub(r"\1", match.group(2))
    return None
