"""The entity graph as a networkx network: centrality, components, the park–enterprise structure.

    >>> from kg.analytics import entity_graph, graph_stats, format_stats
    >>> network = entity_graph("out/graph.ttl")              # doctest: +SKIP
    >>> print(format_stats(graph_stats(network)))            # doctest: +SKIP

Nodes are the entities (parks, enterprises, policies, people, government bodies, places) and the
metrics, keyed by IRI, with ``label`` and ``type`` attributes. Edges are ``hosts``, ``issues``,
``achieves``, ``locatedIn``, ``partOf`` and ``holdsPost``; a person's post leads straight to the
organisation it belongs to (``holdsPost`` edge with the post ``title``). The network is read with
two SPARQL queries (:mod:`kg.query`), so a file path is read by Oxigraph, fast even when large.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from networkx.algorithms import bipartite

from . import schema
from .errors import UsageError
from .export import atomic_write
from .query import Engine, run

__all__ = [
    "BipartiteStats",
    "GraphStats",
    "entity_graph",
    "format_stats",
    "graph_stats",
    "write_network",
]

#: Above this many nodes, betweenness is estimated from a sample of source nodes.
EXACT_BETWEENNESS_LIMIT = 3000
BETWEENNESS_SAMPLES = 500


def _nodes_query() -> str:
    """The network's nodes: every thing of a class the schema puts in the network."""
    classes = " ".join(f"kg:{name}" for name in schema.class_names(network=True))
    return f"""
SELECT ?node ?type ?label WHERE {{
  VALUES ?class {{ {classes} }}
  ?node a ?class .
  BIND(STRAFTER(STR(?class), "#") AS ?type)
  OPTIONAL {{ ?node rdfs:label ?label }}
}}
"""


def _edges_query() -> str:
    """The network's edges: the schema's network relations; holdsPost leads to the post's organisation."""
    direct = " ".join(f"kg:{name}" for name in schema.relation_names(network=True) if name != "holdsPost")
    return f"""
SELECT ?source ?relation ?target ?title WHERE {{
  {{
    VALUES ?property {{ {direct} }}
    ?source ?property ?target .
  }} UNION {{
    ?source kg:holdsPost ?post .
    ?post kg:postIn ?target .
    OPTIONAL {{ ?post kg:postTitle ?title }}
    BIND(kg:holdsPost AS ?property)
  }}
  BIND(STRAFTER(STR(?property), "#") AS ?relation)
}}
"""


def entity_graph(source: Any, *, engine: Engine | None = None) -> nx.MultiDiGraph:
    """The entity network of ``source`` (a graph file, an rdflib Graph or a pyoxigraph Store).

    A node's key is its IRI; ``label`` is its rdfs:label (or the end of the IRI) and ``type``
    its class (Park, Enterprise, …). Each edge has a ``relation``; holdsPost edges also a
    ``title``. Edges to things that are not typed entities are left out.
    """
    network = nx.MultiDiGraph()
    for row in run(source, _nodes_query(), engine=engine).records():
        node = row["node"]
        label = row["label"] or node.rstrip("/").rsplit("/", 1)[-1]
        if node in network:  # a node with two types or two labels keeps the first
            continue
        network.add_node(node, label=str(label), type=row["type"])
    for row in run(source, _edges_query(), engine=engine).records():
        source_node, target = row["source"], row["target"]
        if source_node not in network or target not in network:
            continue
        attributes = {"relation": row["relation"]}
        if row["title"]:
            attributes["title"] = str(row["title"])
        network.add_edge(source_node, target, **attributes)
    return network


@dataclass
class BipartiteStats:
    """The park–enterprise network of ``hosts`` edges."""

    parks: int
    enterprises: int
    edges: int
    density: float
    per_park: list[tuple[str, int]]
    multi_park_enterprises: list[tuple[str, int]]
    unhosted_enterprises: int
    parks_sharing_enterprises: int


@dataclass
class GraphStats:
    """What ``kg stats`` prints."""

    nodes: int
    edges: int
    by_type: Counter[str]
    by_relation: Counter[str]
    degree: dict[str, list[tuple[str, float]]]
    betweenness: dict[str, list[tuple[str, float]]]
    betweenness_exact: bool
    components: list[int]
    largest_component: list[tuple[str, int]] = field(default_factory=list)
    bipartite: BipartiteStats | None = None


def _top(network: nx.MultiDiGraph, values: dict[str, float], node_type: str, top: int) -> list[tuple[str, float]]:
    chosen = [(node, value) for node, value in values.items() if network.nodes[node]["type"] == node_type]
    chosen.sort(key=lambda item: (-item[1], network.nodes[item[0]]["label"]))
    return [(network.nodes[node]["label"], value) for node, value in chosen[:top]]


def park_enterprise_network(network: nx.MultiDiGraph) -> tuple[nx.Graph, set[str], set[str]]:
    """The bipartite graph of parks and enterprises joined by ``hosts`` (parks, enterprises)."""
    parks = {node for node, kind in network.nodes(data="type") if kind == "Park"}
    enterprises = {node for node, kind in network.nodes(data="type") if kind == "Enterprise"}
    graph = nx.Graph()
    graph.add_nodes_from(parks, bipartite=0)
    graph.add_nodes_from(enterprises, bipartite=1)
    for source, target, relation in network.edges(data="relation"):
        if relation == "hosts" and source in parks and target in enterprises:
            graph.add_edge(source, target)
    return graph, parks, enterprises


def graph_stats(network: nx.MultiDiGraph, *, top: int = 5) -> GraphStats:
    """Counts, degree and betweenness centrality, components and the bipartite structure."""
    if top < 1:
        raise UsageError("--top must be at least 1")
    simple = nx.Graph(network.to_undirected(as_view=True))
    degree = nx.degree_centrality(simple) if len(simple) > 1 else {node: 0.0 for node in simple}
    exact = len(simple) <= EXACT_BETWEENNESS_LIMIT
    if exact:
        betweenness = nx.betweenness_centrality(simple)
    else:
        betweenness = nx.betweenness_centrality(simple, k=BETWEENNESS_SAMPLES, seed=0)
    parts = list(nx.connected_components(simple))
    components = sorted((len(part) for part in parts), reverse=True)
    largest: set[str] = max(parts, key=len, default=set())
    largest_types = Counter(network.nodes[node]["type"] for node in largest)
    stats = GraphStats(
        nodes=network.number_of_nodes(),
        edges=network.number_of_edges(),
        by_type=Counter(kind for _, kind in network.nodes(data="type")),
        by_relation=Counter(relation for _, _, relation in network.edges(data="relation")),
        degree={kind: _top(network, degree, kind, top) for kind in ("Park", "Enterprise")},
        betweenness={kind: _top(network, betweenness, kind, top) for kind in ("Park", "Enterprise")},
        betweenness_exact=exact,
        components=components,
        largest_component=sorted(
            largest_types.items(), key=lambda item: (-item[1], item[0])
        ),  # ties by name: sets have no order
    )
    graph, parks, enterprises = park_enterprise_network(network)
    if parks and enterprises:
        hosted = {node: graph.degree(node) for node in parks}
        park_count = {node: graph.degree(node) for node in enterprises}
        shared = bipartite.projected_graph(graph, list(parks))
        stats.bipartite = BipartiteStats(
            parks=len(parks),
            enterprises=len(enterprises),
            edges=graph.number_of_edges(),
            density=bipartite.density(graph, parks),
            per_park=sorted(
                ((network.nodes[n]["label"], c) for n, c in hosted.items()), key=lambda item: (-item[1], item[0])
            ),
            multi_park_enterprises=sorted(
                ((network.nodes[n]["label"], c) for n, c in park_count.items() if c > 1),
                key=lambda item: (-item[1], item[0]),
            ),
            unhosted_enterprises=sum(1 for count in park_count.values() if count == 0),
            parks_sharing_enterprises=shared.number_of_edges(),
        )
    return stats


def format_stats(stats: GraphStats, *, top: int | None = None) -> str:
    """The ``kg stats`` report."""
    lines = [f"nodes {stats.nodes}, edges {stats.edges}"]
    lines.append("by type:     " + ", ".join(f"{kind} {count}" for kind, count in stats.by_type.most_common()))
    lines.append("by relation: " + ", ".join(f"{kind} {count}" for kind, count in stats.by_relation.most_common()))
    how = "exact" if stats.betweenness_exact else f"estimated from {BETWEENNESS_SAMPLES} sources"
    for title, table in (("degree centrality", stats.degree), (f"betweenness centrality ({how})", stats.betweenness)):
        lines.append(f"{title}:")
        for kind, ranked in table.items():
            shown = ranked[:top] if top else ranked
            cells = ", ".join(f"{label} {value:.3f}" for label, value in shown) or "none"
            lines.append(f"  {kind}: {cells}")
    sizes = stats.components
    singletons = sum(1 for size in sizes if size == 1)
    lines.append(
        f"connected components: {len(sizes)} (largest {sizes[0] if sizes else 0} nodes, {singletons} isolated)"
        if sizes
        else "connected components: 0"
    )
    if stats.largest_component:
        lines.append("  largest holds: " + ", ".join(f"{kind} {count}" for kind, count in stats.largest_component))
    b = stats.bipartite
    if b is None:
        lines.append("park–enterprise network: no parks or no enterprises")
    else:
        mean = b.edges / b.parks if b.parks else 0.0
        lines.append(
            f"park–enterprise network: {b.parks} parks, {b.enterprises} enterprises, {b.edges} hosts edges, "
            f"density {b.density:.3f}, {mean:.2f} enterprises per park"
        )
        lines.append("  enterprises per park: " + ", ".join(f"{label} {count}" for label, count in b.per_park))
        if b.multi_park_enterprises:
            lines.append(
                "  in several parks: " + ", ".join(f"{label} {count}" for label, count in b.multi_park_enterprises)
            )
        lines.append(
            f"  enterprises in no park: {b.unhosted_enterprises}; park pairs sharing an enterprise: {b.parks_sharing_enterprises}"
        )
    return "\n".join(lines)


_WRITERS = {"graphml": nx.write_graphml, "gexf": nx.write_gexf}


def write_network(network: nx.MultiDiGraph, format: str, destination: str | os.PathLike[str]) -> Path:
    """Write the network as GraphML or GEXF, atomically; node ``label`` and ``type`` are attributes."""
    try:
        writer = _WRITERS[format.lower()]
    except KeyError:
        raise UsageError(f"unknown network format {format!r}; choose graphml or gexf") from None
    return atomic_write(destination, lambda temp: writer(network, str(temp)))
