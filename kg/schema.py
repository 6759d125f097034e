"""The schema in one table: the entity classes and relations kg extracts, and how each is shown.

Every part of kg that lists classes or relations reads them here, at the moment it needs them:
the model (entity types), the graph writer (relation IRIs), the build summary, analytics
(``kg stats`` / ``kg export``), evaluation (``kg eval``) and the page (names, colours, shapes).
``ontology/kg.ttl`` declares the same classes and properties with the same labels; a test keeps
the two in step.

A new relation is one :func:`register_relation` call (or one row of :data:`RELATIONS`) plus the
rule that finds it::

    >>> from kg.schema import Relation, register_relation
    >>> register_relation(Relation("invests", "投资", "invests in", ("Enterprise",), ("Enterprise",),
    ...                            colour="#6d4c41", width=1.5))            # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UsageError

__all__ = [
    "CLASSES",
    "RELATIONS",
    "EntityClass",
    "Relation",
    "class_names",
    "register_relation",
    "relation_names",
]


@dataclass(frozen=True)
class EntityClass:
    """One class of things kg finds: its ``kg:`` name, IRI folder, labels and how the page draws it.

    ``scored`` says whether ``kg eval`` scores it (metrics are scored on their own);
    ``network`` whether it is a node of the entity network (``kg stats``, ``kg export``).
    """

    name: str
    folder: str
    zh: str
    en: str
    colour: str
    border: str
    shape: str
    scored: bool = True
    network: bool = True


@dataclass(frozen=True)
class Relation:
    """One relation between entities: its ``kg:`` name, labels, domain and range, and its line.

    ``scored``: ``kg eval`` scores it; ``network``: an edge of the entity network; ``counted``:
    the build summary counts it. ``dashes`` is the dash pattern (``()`` = solid).
    """

    name: str
    zh: str
    en: str
    domain: tuple[str, ...]
    range: tuple[str, ...]
    colour: str
    width: float
    dashes: tuple[int, ...] = ()
    scored: bool = True
    network: bool = True
    counted: bool = True


#: The entity classes, in the order tables and the page list them.
CLASSES: dict[str, EntityClass] = {
    c.name: c
    for c in (
        EntityClass("Park", "park", "园区", "park", "#2e7d32", "#1b5e20", "hexagon"),
        EntityClass("Enterprise", "enterprise", "企业", "enterprise", "#1e88e5", "#0d47a1", "dot"),
        EntityClass("Policy", "policy", "政策", "policy", "#f57c00", "#e65100", "box"),
        EntityClass("Person", "person", "人物", "person", "#8e24aa", "#4a148c", "ellipse"),
        EntityClass("GovernmentBody", "governmentbody", "政府机构", "government body", "#d32f2f", "#8e0000", "diamond"),
        EntityClass("Place", "place", "地点", "place", "#8d6e63", "#4e342e", "triangle"),
        # A post (a title in an organisation): the network and the page lead a holdsPost edge
        # straight to the organisation, so posts are neither nodes nor scored on their own.
        EntityClass("Post", "post", "职务", "post", "#ab47bc", "#6a1b9a", "dot", scored=False, network=False),
        EntityClass("Metric", "metric", "指标", "metric", "#00897b", "#004d40", "square", scored=False),
    )
}

#: The relations, in the order tables and the page list them.
RELATIONS: dict[str, Relation] = {
    r.name: r
    for r in (
        Relation("hosts", "入驻", "hosts", ("Park",), ("Enterprise",), "#2e7d32", 3.0),
        Relation("issues", "发布", "issues", ("Park", "GovernmentBody"), ("Policy",), "#ef6c00", 2.2, (10, 6)),
        Relation("achieves", "实现", "achieves", ("Park", "Enterprise"), ("Metric",), "#00897b", 1.4, (2, 5), scored=False),
        Relation(
            "locatedIn", "位于", "located in", ("Park", "Enterprise", "GovernmentBody", "Place"), ("Place",), "#8d6e63", 1.2
        ),
        Relation("partOf", "隶属", "part of", ("Park", "GovernmentBody"), ("Park", "GovernmentBody"), "#558b2f", 2.0, (14, 4, 3, 4)),
        Relation("holdsPost", "任职", "holds post", ("Person",), ("Post",), "#8e24aa", 1.6),
        # Between two metrics (a growth rate and the figure it is the growth of): drawn, not counted.
        Relation(
            "growthOf", "增长", "growth of", ("Metric",), ("Metric",), "#4db6ac", 1.0, (5, 4),
            scored=False, network=False, counted=False,
        ),
    )
}  # fmt: skip


def class_names(*, scored: bool | None = None, network: bool | None = None) -> tuple[str, ...]:
    """The classes' names, optionally only those ``kg eval`` scores or the network holds."""
    return tuple(
        c.name
        for c in CLASSES.values()
        if (scored is None or c.scored == scored) and (network is None or c.network == network)
    )


def relation_names(
    *, scored: bool | None = None, network: bool | None = None, counted: bool | None = None
) -> tuple[str, ...]:
    """The relations' names, optionally only those scored, in the network or counted by the summary."""
    return tuple(
        r.name
        for r in RELATIONS.values()
        if (scored is None or r.scored == scored)
        and (network is None or r.network == network)
        and (counted is None or r.counted == counted)
    )


def register_relation(relation: Relation) -> Relation:
    """Add a relation to the schema; its domain and range must be known classes."""
    unknown = [name for name in (*relation.domain, *relation.range) if name not in CLASSES]
    if unknown:
        raise UsageError(
            f"relation {relation.name!r}: unknown class {', '.join(unknown)}; use one of {', '.join(CLASSES)}"
        )
    if not relation.name.isidentifier():
        raise UsageError(f"relation {relation.name!r}: the name becomes kg:{relation.name}; use letters and digits")
    RELATIONS[relation.name] = relation
    return relation
