"""The HTML graph: entities and their relations drawn with pyvis, working with no network.

pyvis's own "in_line" mode still links stylesheets from a CDN, so the page is assembled here
with vis-network's script and stylesheet (shipped inside the pyvis package) inlined.
"""

from __future__ import annotations

import html
import json
import os
import re
from importlib.resources import files
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef

from .export import atomic_write
from .ontology import KG

__all__ = ["write_html", "CLASS_STYLE"]

CLASS_STYLE: dict[str, tuple[str, str, str]] = {
    # class: (colour, shape, Chinese name)
    "Park": ("#2e7d32", "hexagon", "园区"),
    "Enterprise": ("#1565c0", "dot", "企业"),
    "Policy": ("#ef6c00", "box", "政策"),
    "Person": ("#6a1b9a", "ellipse", "人物"),
    "GovernmentBody": ("#c62828", "diamond", "政府机构"),
    "Place": ("#5d4037", "triangle", "地点"),
    "Metric": ("#00838f", "square", "指标"),
}
EDGE_LABELS = {
    "hosts": "入驻 hosts",
    "issues": "发布 issues",
    "achieves": "实现 achieves",
    "locatedIn": "位于 locatedIn",
    "partOf": "隶属 partOf",
    "holdsPost": "任职 holdsPost",
}


def _vis_assets() -> tuple[str, str]:
    lib = files("pyvis") / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(encoding="utf-8")


def _label(graph: Graph, node: URIRef) -> str:
    value = graph.value(node, RDFS.label)
    return str(value) if value is not None else str(node).rsplit("/", 1)[-1]


def _nodes_and_edges(graph: Graph) -> tuple[list[dict], list[dict]]:
    nodes: dict[URIRef, dict] = {}
    for cls, (colour, shape, zh) in CLASS_STYLE.items():
        for node in graph.subjects(RDF.type, KG[cls]):
            if isinstance(node, URIRef):
                nodes[node] = {"id": str(node), "label": _label(graph, node), "color": colour, "shape": shape, "group": cls, "title": f"{zh} {cls}"}
    edges: list[dict] = []
    for name, label in EDGE_LABELS.items():
        for subject, obj in graph.subject_objects(KG[name]):
            if name == "holdsPost":
                org = graph.value(obj, KG.postIn)
                title = graph.value(obj, KG.postTitle)
                if org is None:
                    continue
                obj, label = org, f"{title} holdsPost"
            if subject in nodes and obj in nodes:
                edges.append({"from": str(subject), "to": str(obj), "label": label, "arrows": "to"})
    return list(nodes.values()), edges


def render_html(graph: Graph, *, title: str = "kg 知识图谱") -> str:
    """A self-contained HTML page drawing ``graph``; article text is escaped data, never markup."""
    script, style = _vis_assets()
    nodes, edges = _nodes_and_edges(graph)
    data = json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False)
    data = data.replace("</", "<\\/").replace("<!--", "<\\!--")
    legend = "".join(
        f'<span class="key"><i style="background:{colour}"></i>{html.escape(zh)} {cls}</span>'
        for cls, (colour, _, zh) in CLASS_STYLE.items()
    )
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{style}</style>
<style>body{{margin:0;font-family:sans-serif}}#graph{{width:100vw;height:92vh}}.key{{margin-right:1em}}.key i{{display:inline-block;width:.8em;height:.8em;margin-right:.3em}}</style>
</head><body><div id="legend">{legend}</div><div id="graph"></div>
<script>{script}</script>
<script>
const DATA = {data};
const network = new vis.Network(document.getElementById("graph"),
  {{nodes: new vis.DataSet(DATA.nodes), edges: new vis.DataSet(DATA.edges)}},
  {{physics: {{stabilization: {{iterations: 200}}}}, interaction: {{hover: true}}}});
</script></body></html>
"""


def write_html(graph: Graph, destination: str | os.PathLike[str]) -> Path:
    """Write the HTML page for ``graph`` atomically; return its path."""
    page = render_html(graph)
    if re.search(r"<(?:script|link)[^>]+(?:src|href)=\"https?:", page):
        raise RuntimeError("the page links a remote resource; it must work offline")
    return atomic_write(destination, lambda temp: temp.write_text(page, encoding="utf-8"))
