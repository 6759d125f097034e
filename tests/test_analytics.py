"""The entity network: networkx view, measures, ``kg stats`` and ``kg export`` (GraphML, GEXF)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from kg.analytics import entity_graph, format_stats, graph_stats, park_enterprise_network, write_network
from kg.cli import main
from kg.errors import UsageError
from kg.export import serialize

ROOT = Path(__file__).resolve().parents[1]
CHANGZHOU = "常州国家高新区"


@pytest.fixture(scope="module")
def graph(seed_graph):
    return seed_graph


@pytest.fixture(scope="module")
def graph_file(graph, tmp_path_factory) -> Path:
    return Path(serialize(graph, "turtle", tmp_path_factory.mktemp("analytics") / "graph.ttl"))


@pytest.fixture(scope="module")
def network(graph_file) -> nx.MultiDiGraph:
    return entity_graph(graph_file)


def labels(network, kind: str) -> set[str]:
    return {data["label"] for _, data in network.nodes(data=True) if data["type"] == kind}


def test_analytics_nodes_are_typed_labelled_entities(network):
    assert CHANGZHOU in labels(network, "Park")
    assert labels(network, "Enterprise")
    for node, data in network.nodes(data=True):
        assert node.startswith("https://w3id.org/parkkg/id/")
        assert data["label"] and data["type"] in (
            "Park",
            "Enterprise",
            "Policy",
            "Person",
            "GovernmentBody",
            "Place",
            "Metric",
        )


def test_analytics_edges_follow_the_graph_model(network):
    kinds = {relation for _, _, relation in network.edges(data="relation")}
    assert {"hosts", "achieves", "holdsPost"} <= kinds
    allowed = {
        "hosts": ({"Park"}, {"Enterprise"}),
        "achieves": ({"Park", "Enterprise"}, {"Metric"}),
        "holdsPost": ({"Person"}, {"Park", "GovernmentBody", "Enterprise"}),
        "issues": ({"Park", "GovernmentBody"}, {"Policy"}),
    }
    for source, target, data in network.edges(data=True):
        if data["relation"] in allowed:
            sources, targets = allowed[data["relation"]]
            assert network.nodes[source]["type"] in sources, data
            assert network.nodes[target]["type"] in targets, data


def test_analytics_posts_lead_to_their_organisation_with_a_title(network):
    posts = [(s, t, d) for s, t, d in network.edges(data=True) if d["relation"] == "holdsPost"]
    assert posts
    assert any(d.get("title") for _, _, d in posts)


def test_analytics_changzhou_achieves_1100_yi(network):
    park = next(n for n, d in network.nodes(data=True) if d["label"] == CHANGZHOU)
    metrics = [
        network.nodes[t]["label"] for _, t, d in network.out_edges(park, data=True) if d["relation"] == "achieves"
    ]
    assert any("1100亿元" in label for label in metrics), metrics


def test_analytics_rdflib_and_file_give_the_same_network(graph, network):
    from_graph = entity_graph(graph)
    assert set(from_graph.nodes) == set(network.nodes)
    assert sorted((s, t, d["relation"]) for s, t, d in from_graph.edges(data=True)) == sorted(
        (s, t, d["relation"]) for s, t, d in network.edges(data=True)
    )


def test_analytics_stats(network):
    stats = graph_stats(network, top=3)
    assert stats.nodes == network.number_of_nodes() and stats.edges == network.number_of_edges()
    assert sum(stats.components) == stats.nodes
    assert stats.by_type["Park"] >= 1 and stats.by_relation["hosts"] >= 1
    assert 1 <= len(stats.degree["Park"]) <= 3
    assert all(0.0 <= value <= 1.0 for _, value in stats.betweenness["Park"])
    b = stats.bipartite
    assert b is not None
    assert 0.0 < b.density <= 1.0
    assert sum(count for _, count in b.per_park) == b.edges == stats.by_relation["hosts"]
    assert max(count for _, count in b.per_park) >= 1  # a park hosts at least one enterprise


def test_analytics_bipartite_network_is_bipartite(network):
    graph, parks, _ = park_enterprise_network(network)
    assert nx.is_bipartite(graph)
    assert all((s in parks) != (t in parks) for s, t in graph.edges)


def test_analytics_format_stats(network):
    text = format_stats(graph_stats(network))
    for words in (
        "by type:",
        "degree centrality",
        "betweenness centrality",
        "connected components",
        "park–enterprise network",
        "density",
    ):
        assert words in text
    assert "Park:" in text


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_analytics_write_network_reads_back(network, tmp_path, fmt, reader):
    target = write_network(network, fmt, tmp_path / f"graph.{fmt}")
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left over
    again = reader(target)
    assert again.number_of_nodes() == network.number_of_nodes()
    assert again.number_of_edges() == network.number_of_edges()
    node = next(n for n, d in network.nodes(data=True) if d["label"] == CHANGZHOU)
    assert again.nodes[node]["label"] == CHANGZHOU
    if fmt == "graphml":
        assert again.nodes[node]["type"] == "Park"


def test_analytics_unknown_format(network, tmp_path):
    with pytest.raises(UsageError, match="graphml or gexf"):
        write_network(network, "dot", tmp_path / "graph.dot")


def test_analytics_cli_stats(graph_file, capsys):
    assert main(["stats", "-g", str(graph_file), "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "park–enterprise network" in out and CHANGZHOU in out


def test_analytics_cli_export(graph_file, tmp_path, capsys):
    target = tmp_path / "net.gexf"
    assert main(["export", "--format", "gexf", "-g", str(graph_file), "-o", str(target)]) == 0
    assert target.exists() and str(target) in capsys.readouterr().out
    assert nx.read_gexf(target).number_of_nodes() > 0


def test_analytics_cli_missing_graph(tmp_path, capsys):
    assert main(["stats", "-g", str(tmp_path / "graph.ttl")]) == 1
    assert "no such file" in capsys.readouterr().err
