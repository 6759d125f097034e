"""``kg serve``: the SPARQL 1.1 Protocol endpoint, exercised with SPARQLWrapper on a loopback port."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
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
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML  # noqa: E402 - only once importorskip passed

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
        (b["entityName"]["value"], b["indicator"]["value"], b["value"]["value"])
        for b in document["results"]["bindings"]
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
        assert "serving" in line and "http://127.0.0.1:" in line, line + (
            process.stderr.read() if process.poll() is not None else ""
        )
        url = line.split(" at ", 1)[1].split()[0]
        request = urllib.request.Request(
            url + "?query=" + urllib.parse.quote(PARKS), headers={"Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            document = json.loads(response.read())
        assert document["results"]["bindings"]
    finally:
        process.terminate()
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


# -- hostile input ----------------------------------------------------------------------------
class Listener:
    """A loopback TCP listener that counts the connections it gets (none, if nothing leaks)."""

    def __init__(self) -> None:
        import socket

        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.socket.close()


@pytest.fixture()
def listener():
    listening = Listener()
    yield listening
    listening.close()


#: Ways to write SERVICE that a regular expression over the text missed or could miss.
SERVICE_SPELLINGS = {
    "plain": "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "lower case": "select * where { service <{url}> { ?s ?p ?o } }",
    "prefixed name right after the keyword": "PREFIX : <{base}> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
    "no space before the IRI": "SELECT * WHERE {SERVICE<{url}>{?s ?p ?o}}",
    "comment ended by a carriage return": "SELECT * WHERE { # note\rSERVICE <{url}> { ?s ?p ?o }\n}",
    "\\u escapes in the IRI": "SELECT * WHERE { SERVICE <http\\u003A//127.0.0.1\\u003A{port}/sparql> { ?s ?p ?o } }",
    # rdflib would end the string at the escaped quote and see SERVICE inside another string
    "escaped quote that hides SERVICE from a parser expanding escapes first": 'SELECT * WHERE { ?s ?p "a\\u0022, " SERVICE <{url}> { ?s ?p ?o } ?x ?y "b" }',
    "nested groups": "SELECT * WHERE { { OPTIONAL { { ?x ?y ?z } UNION { SERVICE <{url}> { ?s ?p ?o } } } } }",
    "inside FILTER EXISTS": "SELECT * WHERE { ?a ?b ?c FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } } LIMIT 1",
    "variable bound by BIND": "SELECT * WHERE { BIND(<{url}> AS ?endpoint) SERVICE ?endpoint { ?s ?p ?o } }",
    "variable bound by VALUES": "SELECT * WHERE { VALUES ?endpoint { <{url}> } SERVICE ?endpoint { ?s ?p ?o } }",
    "SILENT": "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "ASK": "ASK { SERVICE <{url}> { ?s ?p ?o } }",
    "CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "subquery": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
}


#: Spellings Oxigraph does not read as SERVICE at all: malformed, or a comment (no escapes there).
NOT_SERVICE_TO_THE_ENGINE = {
    "\\u escape in the keyword": ("SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }", 400),
    "\\u escapes for several letters": ("SELECT * WHERE { \\u0073\\u0065rvice <{url}> { ?s ?p ?o } }", 400),
    "escaped carriage return in a comment": ("SELECT * WHERE { # note\\u000DSERVICE <{url}> { ?s ?p ?o }\n}", 200),
}


def _spell(template: str, listener: Listener) -> str:
    base = listener.url.rsplit("/", 1)[0] + "/"
    return template.replace("{url}", listener.url).replace("{base}", base).replace("{port}", str(listener.port))


@pytest.mark.parametrize("name", sorted(NOT_SERVICE_TO_THE_ENGINE))
def test_serve_escapes_outside_strings_are_not_service_and_connect_nowhere(server, listener, name):
    template, expected = NOT_SERVICE_TO_THE_ENGINE[name]
    status, _, body = http(server, "?query=" + urllib.parse.quote(_spell(template, listener)))
    assert (status, listener.connections) == (expected, 0), body


@pytest.mark.parametrize("how", ["GET", "form", "direct"])
@pytest.mark.parametrize("name", sorted(SERVICE_SPELLINGS))
def test_serve_refuses_every_spelling_of_service_and_connects_nowhere(server, listener, name, how):
    query = _spell(SERVICE_SPELLINGS[name], listener)
    if how == "GET":
        status, _, body = http(server, "?query=" + urllib.parse.quote(query))
    elif how == "form":
        data = urllib.parse.urlencode({"query": query}).encode()
        status, _, body = http(
            server, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST"
        )
    else:
        status, _, body = http(
            server, data=query.encode(), headers={"Content-Type": "application/sparql-query"}, method="POST"
        )
    assert (status, listener.connections) == (403, 0), body
    assert "SERVICE" in body


@pytest.mark.parametrize("name", sorted(SERVICE_SPELLINGS))
def test_serve_check_alone_finds_every_spelling(name):
    """Where workers cannot be kept off the network, the parsed-query check is all there is."""
    fake = Listener.__new__(Listener)
    fake.url, fake.port = "http://127.0.0.1:9/sparql", 9
    assert uses_service(_spell(SERVICE_SPELLINGS[name], fake)) is True


def test_serve_workers_cannot_connect_even_when_the_engine_tries(listener):
    """The guarantee under the parser: a worker process has no Internet sockets at all."""
    from kg.sandbox import _ARCHES

    if not sys.platform.startswith("linux") or os.uname().machine.lower() not in _ARCHES:
        pytest.skip("seccomp filter only on Linux x86-64 / AArch64")
    script = (
        "import pyoxigraph as ox\n"
        "from kg.sandbox import deny_network\n"
        "assert deny_network()\n"
        "try:\n"
        f"    list(ox.Store().query('SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}'))\n"
        "except OSError as error:\n"
        "    print('refused:', error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "refused" in done.stdout and listener.connections == 0


#: Queries that crash Oxigraph 0.5 inside the process running it.
CRASHES = {
    "5,000 nested parentheses in a FILTER": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "ORDER BY over mixed literal types (upstream sort panic)": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1",
}


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_serve_survives_a_query_that_crashes_the_engine(server, graph_file, name):
    data = urllib.parse.urlencode({"query": CRASHES[name]}).encode()
    status, _, body = http(
        server, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST"
    )
    assert status in (400, 500), body
    if status == 500:
        assert "crashed" in body and "the server goes on" in body
    # and the server still answers
    assert [
        row["name"]["value"] for row in wrapper(server, PARKS).query().convert()["results"]["bindings"]
    ] == local_names(graph_file)


def test_serve_stops_runaway_queries_for_real(graph_file):
    """Cartesian COUNTs cannot be interrupted inside the engine: their workers are killed and replaced."""
    busy = make_server(graph_file, port=0, quiet=True, timeout=1, workers=2)
    thread = threading.Thread(target=busy.serve_forever, daemon=True)
    thread.start()
    try:
        before = set(busy.endpoint.pool.pids())
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        answers: list[int] = []
        clients = [
            threading.Thread(target=lambda: answers.append(http(busy, "?query=" + urllib.parse.quote(count))[0]))
            for _ in range(4)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join(120)
        assert answers == [503] * 4
        waited = time.monotonic()
        while http(busy, "?query=" + urllib.parse.quote(PARKS))[0] != 200:  # replacements are starting
            assert time.monotonic() - waited < 120
            time.sleep(0.5)
        for _ in range(6):  # and they stay (a worker once died with the thread that started it)
            status, _, body = http(busy, "?query=" + urllib.parse.quote(PARKS))
            assert status == 200 and json.loads(body)["results"]["bindings"]
            time.sleep(0.2)
        assert not before & set(busy.endpoint.pool.pids())  # the stuck workers are gone
    finally:
        busy.shutdown()
        busy.server_close()


def test_serve_limits_the_size_of_results(graph_file):
    small = make_server(graph_file, port=0, quiet=True, timeout=20, workers=1, max_result_mb=0.05)
    thread = threading.Thread(target=small.serve_forever, daemon=True)
    thread.start()
    try:
        status, _, body = http(small, "?query=" + urllib.parse.quote(RUNAWAY + " LIMIT 100000"))
        assert status == 507 and "limit of 0.05 MB" in body and "LIMIT" in body
        status, _, body = http(small, "?query=" + urllib.parse.quote(PARKS))
        assert status == 200
    finally:
        small.shutdown()
        small.server_close()


@pytest.mark.parametrize(
    "content_type, expected", [("application/sparql-query", 400), ("application/sparql-update", 403)]
)
def test_serve_rejects_a_huge_malformed_query_cheaply(server, content_type, expected):
    big = ("INSERT DATA { " + '<http://a/b> <http://a/c> "x" . ' * 28000 + " garbage").encode()
    assert len(big) > 800_000
    status, _, body = http(server, data=big, headers={"Content-Type": content_type}, method="POST")
    assert status == expected
    assert len(body) < 2000  # the error shows a window of the line, not the megabyte


def raw_request(server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as it is (any Host, any method) and read one answer."""
    import http.client
    import socket

    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=30) as connection:
        connection.sendall(request)
        response = http.client.HTTPResponse(connection, method=request.split(b" ", 1)[0].decode())
        response.begin()
        body = response.read()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, body


def _get(server, host: str | None, extra: str = "", method: str = "GET", path: str = "") -> bytes:
    target = "/sparql" + (path or "?query=" + urllib.parse.quote(PARKS))
    lines = (
        [f"{method} {target} HTTP/1.1"] + ([f"Host: {host}"] if host is not None else []) + ([extra] if extra else [])
    )
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode()


@pytest.mark.parametrize(
    "host, extra, expected",
    [
        ("127.0.0.1:{port}", "", 200),
        ("localhost:{port}", "", 200),
        ("[::1]:{port}", "", 200),
        ("attacker.example:{port}", "", 421),  # DNS rebinding: the page's own name, now resolving to us
        ("127.0.0.1.nip.io:{port}", "", 421),
        ("127.0.0.1:1", "", 421),
        (None, "", 421),
        ("127.0.0.1:{port}", "Origin: http://127.0.0.1:{port}", 200),
        ("127.0.0.1:{port}", "Origin: null", 403),  # a page opened from a file
        ("127.0.0.1:{port}", "Origin: https://attacker.example", 403),
        ("127.0.0.1:{port}", "Origin: http://localhost:1", 403),
    ],
)
def test_serve_host_and_origin_must_name_this_server(server, host, extra, expected):
    port = server.server_address[1]
    host = host.replace("{port}", str(port)) if host is not None else None
    status, _, body = raw_request(server, _get(server, host, extra.replace("{port}", str(port))))
    assert status == expected, body


def test_serve_allow_host_names_a_proxy(graph_file):
    proxied = make_server(graph_file, port=0, quiet=True, workers=1, allowed_hosts=["graph.example.org"])
    thread = threading.Thread(target=proxied.serve_forever, daemon=True)
    thread.start()
    try:
        for host, extra, expected in [
            ("graph.example.org", "Origin: https://graph.example.org", 200),
            ("graph.example.org:443", "", 200),
            ("other.example.org", "", 421),
        ]:
            assert raw_request(proxied, _get(proxied, host, extra))[0] == expected, host
    finally:
        proxied.shutdown()
        proxied.server_close()


@pytest.mark.parametrize(
    "headers", [{"Origin": "null"}, {"Origin": "https://attacker.example"}, {"Sec-Fetch-Site": "cross-site"}]
)
def test_serve_refuses_cross_site_form_posts(server, headers):
    data = urllib.parse.urlencode({"query": PARKS}).encode()
    status, _, body = http(
        server, data=data, headers={"Content-Type": "application/x-www-form-urlencoded", **headers}, method="POST"
    )
    assert status == 403 and "another site" in body


def test_serve_head_and_options(server):
    port = server.server_address[1]
    status, headers, body = raw_request(server, _get(server, f"127.0.0.1:{port}", method="HEAD"))
    assert status == 200 and int(headers["content-length"]) > 0 and body == b""
    status, headers, body = raw_request(server, _get(server, f"127.0.0.1:{port}", method="OPTIONS", path="?x"))
    assert status == 204 and set(headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_serve_listen_backlog(server):
    assert server.request_queue_size >= 128


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1"])
def test_serve_beyond_loopback_needs_public(graph_file, host, capsys):
    from kg.cli import main

    assert main(["serve", "-g", str(graph_file), "--host", host, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "--public" in err and host in err


def test_serve_a_query_past_the_worker_memory_limit_fails_alone(graph_file):
    """A sort of three million rows wants far more than 64 MB: its worker aborts, not the machine."""
    tight = make_server(graph_file, port=0, quiet=True, timeout=60, workers=1, worker_memory_mb=64)
    thread = threading.Thread(target=tight.serve_forever, daemon=True)
    thread.start()
    try:
        hungry = "SELECT (COUNT(*) AS ?n) WHERE { { SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d ?b ?e } }"
        status, _, body = http(tight, "?query=" + urllib.parse.quote(hungry))
        assert status == 500 and "64 MB" in body
        waited = time.monotonic()
        while (status := http(tight, "?query=" + urllib.parse.quote(PARKS))[0]) != 200:  # its replacement starts
            assert time.monotonic() - waited < 120, status
            time.sleep(0.5)
    finally:
        tight.shutdown()
        tight.server_close()


def test_serve_public_prints_a_warning(graph_file, monkeypatch, capsys):
    """--public is taken with a word; the socket itself is not opened beyond loopback here."""
    import kg.serve
    from kg.cli import main

    class Stopped:
        url = "http://192.0.2.1:8787/sparql"

        class endpoint:
            triples, sandboxed = 1, True

        def serve_forever(self) -> None:
            raise KeyboardInterrupt

        def server_close(self) -> None:
            pass

    seen = {}
    monkeypatch.setattr(kg.serve, "make_server", lambda graph, **options: seen.update(options) or Stopped())
    assert main(["serve", "-g", str(graph_file), "--host", "192.0.2.1", "--public"]) == 0
    assert seen["public"] is True and seen["host"] == "192.0.2.1"
    assert "warning: listening on 192.0.2.1" in capsys.readouterr().err


TWO_GRAPHS_ONE_TRIPLE_TWICE = """
<https://example.org/g1> { <https://example.org/a> <https://example.org/p> "x" . }
<https://example.org/g2> { <https://example.org/a> <https://example.org/p> "x" .
                           <https://example.org/a> <https://example.org/p> "y" . }
"""


@pytest.mark.parametrize("union", [False, True], ids=["union-in-default-graph", "named-graphs-only"])
def test_read_triple_count_counts_a_triple_of_two_graphs_once(union: bool) -> None:
    import pyoxigraph as ox

    from kg.query import reads_named_graphs
    from kg.rdfio import read_triple_count

    store = ox.Store()
    store.load(TWO_GRAPHS_ONE_TRIPLE_TWICE.encode(), format=ox.RdfFormat.TRIG)
    if not union:  # as kg's store and a loaded TriG keep it: the union in the default graph too
        store.extend([ox.Quad(q.subject, q.predicate, q.object) for q in list(store)])
    assert reads_named_graphs(store) is union
    assert len(store) == (5 if not union else 3)  # quads
    assert read_triple_count(store, union) == 2


def test_serve_reports_distinct_triples_of_a_dataset_not_its_quads(tmp_path: Path) -> None:
    source = tmp_path / "graph.trig"
    source.write_text(TWO_GRAPHS_ONE_TRIPLE_TWICE, encoding="utf-8")
    server = make_server(source, port=0, quiet=True, timeout=20, workers=1)
    try:
        assert server.endpoint.triples == 2
    finally:
        server.server_close()
