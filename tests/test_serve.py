"""``kg serve``: the SPARQL 1.1 Protocol endpoint, exercised with SPARQLWrapper on a loopback port."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph

from kg.export import serialize
from kg.query import load_store, run, run_bundled
from kg.serve import GRAPH_TYPES, RESULT_TYPES, make_server, negotiate, uses_service

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = """PREFIX kg: <https://w3id.org/parkkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
PARKS = PREFIXES + "SELECT ?park ?name WHERE { ?park a kg:Park ; rdfs:label ?name } ORDER BY ?name"
# Millions of rows: the worker stops collecting them at the deadline. (An aggregate over them
# could not be interrupted and would keep a worker busy after the test.)
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def graph_file(seed_graph, tmp_path_factory) -> Path:
    return Path(serialize(seed_graph, "turtle", tmp_path_factory.mktemp("serve") / "graph.ttl"))


@pytest.fixture(scope="module")
def server(graph_file):
    server = make_server(graph_file, port=0, quiet=True, timeout=20)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def wrapper(server, query: str, fmt=JSON):
    client = SPARQLWrapper.SPARQLWrapper(server.url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def local_names(graph_file) -> list[str]:
    return [row["name"] for row in run(graph_file, PARKS).records()]


def http(server, path: str = "", *, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    url = server.url + path
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:  # the error holds the connection: close it now, not at garbage collection
            return error.code, error.headers, error.read().decode("utf-8")


def test_serve_listens_on_loopback_by_default(server):
    assert server.server_address[0] == "127.0.0.1"
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/sparql")


def test_serve_json_with_sparqlwrapper_get(server, graph_file):
    document = wrapper(server, PARKS, JSON).query().convert()
    names = [binding["name"]["value"] for binding in document["results"]["bindings"]]
    assert names == local_names(graph_file)
    assert "常州国家高新区" in names


def test_serve_json_with_sparqlwrapper_post_form(server, graph_file):
    client = wrapper(server, PARKS, JSON)
    client.setMethod(POST)
    document = client.query().convert()
    assert [b["name"]["value"] for b in document["results"]["bindings"]] == local_names(graph_file)


def test_serve_json_with_sparqlwrapper_post_direct(server, graph_file):
    client = wrapper(server, PARKS, JSON)
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)
    document = client.query().convert()
    assert [b["name"]["value"] for b in document["results"]["bindings"]] == local_names(graph_file)


def test_serve_xml_with_sparqlwrapper(server, graph_file):
    result = wrapper(server, PARKS, XML).query()
    assert result.info()["content-type"].startswith("application/sparql-results+xml")
    document = result.convert()
    names = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert names == local_names(graph_file)


@pytest.mark.parametrize("fmt, media", [(CSV, "text/csv"), (TSV, "text/tab-separated-values")])
def test_serve_csv_and_tsv_with_sparqlwrapper(server, graph_file, fmt, media):
    result = wrapper(server, PARKS, fmt).query()
    assert result.info()["content-type"].startswith(media)
    text = result.convert().decode("utf-8")
    delimiter = "," if fmt == CSV else "\t"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert rows[0] == (["park", "name"] if fmt == CSV else ["?park", "?name"])
    assert len(rows) - 1 == len(local_names(graph_file))


def test_serve_bundled_query_matches_local_results(server, graph_file):
    from kg.query import bundled

    query = bundled("figures")
    document = wrapper(server, query.text, JSON).query().convert()
    remote = {
        (b["entityName"]["value"], b["indicator"]["value"], b["value"]["value"]) for b in document["results"]["bindings"]
    }
    local = {(str(r["entityName"]), str(r["indicator"]), str(r["value"])) for r in run_bundled(graph_file, "figures")}
    assert remote == local and remote


def test_serve_ask_and_construct(server):
    assert wrapper(server, PREFIXES + "ASK { ?p a kg:Park }", JSON).query().convert() == {"head": {}, "boolean": True}
    client = wrapper(server, PREFIXES + "CONSTRUCT { ?p a kg:Park } WHERE { ?p a kg:Park }", TURTLE)
    result = client.query()
    assert result.info()["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=result.response.read().decode("utf-8"), format="turtle")
    assert len(graph) > 0


def test_serve_refuses_updates(server):
    client = SPARQLWrapper.SPARQLWrapper(server.url)
    client.setQuery("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }")
    client.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as caught:
        client.query()
    caught.value.close()  # the error holds the connection; closed here, not at garbage collection
    assert caught.value.code == 403
    status, _, body = http(
        server, data=b"DELETE WHERE { ?s ?p ?o }", headers={"Content-Type": "application/sparql-update"}, method="POST"
    )
    assert status == 403 and "read-only" in body
    status, _, body = http(server, "?query=" + urllib.parse.quote("DELETE WHERE { ?s ?p ?o }"))
    assert status == 403
    status, _, _ = http(server, data=b"x", headers={"Content-Type": "text/turtle"}, method="PUT")
    assert status == 405
    # nothing changed
    assert wrapper(server, PREFIXES + "ASK { ?p a kg:Park }", JSON).query().convert()["boolean"] is True


def test_serve_malformed_query_is_400_with_position(server):
    status, _, body = http(server, "?query=" + urllib.parse.quote("SELECT * WHERE { ?s ?p }"))
    assert status == 400
    assert "malformed SPARQL at line 1, column" in body


def test_serve_negotiation_by_accept(server):
    query = "?query=" + urllib.parse.quote(PARKS)
    status, headers, body = http(server, query, headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+xml")
    status, headers, body = http(server, query, headers={"Accept": "*/*"})
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    json.loads(body)
    status, headers, body = http(server, query, headers={"Accept": "image/png"})
    assert status == 406 and "application/sparql-results+json" in body


def test_serve_refuses_service_clauses(server):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    status, _, body = http(server, "?query=" + urllib.parse.quote(query))
    assert status == 403 and "SERVICE" in body


def test_serve_form_page_without_query(server):
    status, headers, body = http(server)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<form" in body
    status, _, _ = http(server, "/../elsewhere")
    assert status == 404


def test_serve_time_limit_answers_503(graph_file):
    slow = make_server(load_store(graph_file), port=0, quiet=True, timeout=0.2)
    thread = threading.Thread(target=slow.serve_forever, daemon=True)
    thread.start()
    try:
        status, _, body = http(slow, "?query=" + urllib.parse.quote(RUNAWAY))
        assert status == 503 and "time limit" in body
    finally:
        slow.shutdown()
        slow.server_close()


@pytest.mark.parametrize(
    "accept, offers, expected",
    [
        (None, RESULT_TYPES, "json"),
        ("application/sparql-results+json", RESULT_TYPES, "json"),
        ("text/csv", RESULT_TYPES, "csv"),
        ("text/tab-separated-values", RESULT_TYPES, "tsv"),
        ("application/xml;q=0.9, application/json;q=0.8", RESULT_TYPES, "xml"),
        ("text/*", RESULT_TYPES, "xml"),
        ("text/*, text/csv", RESULT_TYPES, "csv"),
        ("application/json;q=0, */*;q=0.1", RESULT_TYPES, "json"),
        ("image/png", RESULT_TYPES, None),
        ("text/turtle", GRAPH_TYPES, "turtle"),
        ("application/n-triples, text/turtle;q=0.5", GRAPH_TYPES, "nt"),
        ("application/sparql-results+json", GRAPH_TYPES, None),
    ],
)
def test_serve_negotiate(accept, offers, expected):
    assert negotiate(accept, offers) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("SELECT * WHERE { SERVICE <http://x/sparql> { ?s ?p ?o } }", True),
        ("select * where { service silent <http://x/> { ?s ?p ?o } }", True),
        ('SELECT * WHERE { ?s ?p "SERVICE" }', False),
        ("SELECT ?service WHERE { ?service ?p ?o }", False),
        ("PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:SERVICE ?o } # SERVICE", False),
        ("SELECT * WHERE { ?s <http://e/SERVICE> ?o }", False),
    ],
)
def test_serve_uses_service(query, expected):
    assert uses_service(query) is expected


def test_serve_cli_starts_and_answers(graph_file):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "-g", str(graph_file), "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "serving" in line and "http://127.0.0.1:" in line, line + (process.stderr.read() if process.poll() is not None else "")
        url = line.split(" at ", 1)[1].split()[0]
        request = urllib.request.Request(url + "?query=" + urllib.parse.quote(PARKS), headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            document = json.loads(response.read())
        assert document["results"]["bindings"]
    finally:
        process.terminate()
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
