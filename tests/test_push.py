"""``kg push`` into a real Oxigraph server (the ``oxigraph`` CLI from PyPI) on a loopback port.

After the push, every bundled query gives the same answers on the server as ``kg query`` locally.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import EndpointError, GraphParseError, UsageError
from kg.export import serialize
from kg.push import _split_credentials, push, target_url
from kg.query import bundled_queries, run

ROOT = Path(__file__).resolve().parents[1]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _oxigraph_binary() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.exists():
        return str(beside)
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    return _free_port()


class OxigraphServer:
    def __init__(self, binary: str, location: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited: {self.process.stderr.read().decode(errors='replace')}")  # type: ignore[union-attr]
            try:
                self.select("ASK {}")
                return
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("oxigraph did not start within 30 s") from None
                time.sleep(0.1)

    @property
    def store(self) -> str:
        return self.base + "/store"

    def select(self, query: str) -> dict:
        request = urllib.request.Request(
            self.base + "/query",
            data=urllib.parse.urlencode({"query": query}).encode("utf-8"),
            headers={"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def count(self, graph_iri: str | None = None) -> int:
        pattern = f"GRAPH <{graph_iri}> {{ ?s ?p ?o }}" if graph_iri else "?s ?p ?o"
        document = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
        return int(document["results"]["bindings"][0]["n"]["value"])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture(scope="module")
def built(seed_result):
    return seed_result


@pytest.fixture(scope="module")
def graph_file(built, tmp_path_factory) -> Path:
    return Path(serialize(built.graph, "turtle", tmp_path_factory.mktemp("push") / "graph.ttl"))


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    server = OxigraphServer(binary, tmp_path_factory.mktemp("oxigraph-db"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pushed(oxigraph, graph_file):
    return push(graph_file, oxigraph.store)


def _rows(document: dict) -> Counter:
    """SPARQL JSON results as a multiset of rows of (type, value, language, datatype)."""
    names = document["head"]["vars"]
    rows = Counter()
    for binding in document["results"]["bindings"]:
        row = []
        for name in names:
            term = binding.get(name)
            if term is None:
                row.append(None)
                continue
            datatype = term.get("datatype")
            row.append(
                (term["type"], term["value"], term.get("xml:lang"), None if datatype == XSD_STRING else datatype)
            )
        rows[tuple(row)] += 1
    return rows


def test_push_reports_what_it_sent(pushed, graph_file, oxigraph):
    assert pushed.status in (200, 201, 204)
    assert pushed.method == "PUT"
    assert pushed.url == oxigraph.store + "?default"
    assert pushed.triples == len(run(graph_file, "SELECT * WHERE { ?s ?p ?o }"))
    assert oxigraph.count() == pushed.triples


@pytest.mark.parametrize("name", sorted(bundled_queries()))
def test_push_bundled_queries_answer_the_same_on_the_server(pushed, graph_file, oxigraph, name):
    text = bundled_queries()[name].text
    local = json.loads(run(graph_file, text).serialize("json"))
    remote = oxigraph.select(text)
    assert remote["head"]["vars"] == local["head"]["vars"]
    assert _rows(local), f"{name} has no rows on the seed graph"
    assert _rows(remote) == _rows(local)


def test_push_replaces_the_graph(pushed, graph_file, oxigraph):
    again = push(graph_file, oxigraph.store)
    assert oxigraph.count() == again.triples == pushed.triples


def test_push_to_a_named_graph(graph_file, oxigraph):
    iri = "https://example.org/graphs/parks"
    report = push(graph_file, oxigraph.store, graph_iri=iri)
    assert report.url == oxigraph.store + "?graph=" + urllib.parse.quote(iri, safe="")
    assert oxigraph.count(iri) == report.triples
    appended = push(graph_file, oxigraph.store, graph_iri=iri, replace=False)
    assert appended.method == "POST"
    assert oxigraph.count(iri) == report.triples  # the same triples again: a set does not grow


def test_push_an_rdflib_graph_and_a_jsonld_file(built, graph_file, oxigraph, tmp_path):
    iri = "https://example.org/graphs/from-memory"
    report = push(built.graph, oxigraph.store, graph_iri=iri)
    assert oxigraph.count(iri) == report.triples == len(built.graph)
    jsonld = serialize(built.graph, "json-ld", tmp_path / "graph.jsonld")
    iri = "https://example.org/graphs/from-jsonld"
    report = push(jsonld, oxigraph.store, graph_iri=iri)
    assert oxigraph.count(iri) == report.triples == len(built.graph)


def test_push_cli(graph_file, oxigraph, capsys):
    assert (
        main(["push", "-g", str(graph_file), "--endpoint", oxigraph.store, "--graph-iri", "https://example.org/cli"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("pushed ") and "HTTP 20" in out
    assert oxigraph.count("https://example.org/cli") > 0


def test_push_endpoint_down_is_an_endpoint_error(graph_file, capsys):
    endpoint = f"http://127.0.0.1:{_closed_port()}/store"
    with pytest.raises(EndpointError, match="cannot reach"):
        push(graph_file, endpoint)
    assert main(["push", "-g", str(graph_file), "--endpoint", endpoint]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing reported as success
    assert "cannot reach" in captured.err


def test_push_endpoint_refusing_is_an_endpoint_error(graph_file, oxigraph, capsys):
    with pytest.raises(EndpointError, match="HTTP 404"):
        push(graph_file, oxigraph.base + "/no-such-endpoint")
    assert main(["push", "-g", str(graph_file), "--endpoint", oxigraph.base + "/no-such-endpoint"]) == 1
    assert capsys.readouterr().out == ""


def test_push_to_a_read_only_endpoint_is_refused(graph_file):
    from kg.serve import make_server

    server = make_server(graph_file, port=0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(EndpointError, match="HTTP 405"):
            push(graph_file, server.url)
    finally:
        server.shutdown()
        server.server_close()


def test_push_broken_graph_fails_before_any_upload(tmp_path):
    bad = tmp_path / "graph.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n", encoding="utf-8")
    with pytest.raises(GraphParseError, match=r"graph\.ttl:2"):
        push(bad, f"http://127.0.0.1:{_closed_port()}/store")


@pytest.mark.parametrize(
    "endpoint, graph_iri, expected",
    [
        ("http://h:7878/store", None, "http://h:7878/store?default"),
        ("http://h:7878/store", "https://e.org/g#1", "http://h:7878/store?graph=https%3A%2F%2Fe.org%2Fg%231"),
        ("http://h/ds/data?x=1", None, "http://h/ds/data?x=1&default"),
        ("http://h/ds/data?graph=urn:g", None, "http://h/ds/data?graph=urn:g"),
    ],
)
def test_push_target_url(endpoint, graph_iri, expected):
    assert target_url(endpoint, graph_iri) == expected


@pytest.mark.parametrize(
    "endpoint, graph_iri",
    [("http://h/store?default", "https://e.org/g"), ("http://h/store", "relative/graph")],
)
def test_push_target_url_refuses_contradictions(endpoint, graph_iri):
    with pytest.raises(UsageError):
        target_url(endpoint, graph_iri)


def test_push_credentials_become_basic_auth():
    clean, header = _split_credentials("http://admin:s%40cret@localhost:3030/ds/data")
    assert clean == "http://localhost:3030/ds/data"
    import base64

    assert header is not None and base64.b64decode(header.split()[1]) == b"admin:s@cret"
    with pytest.raises(UsageError):
        _split_credentials("ftp://localhost/store")


# -- hostile stores ---------------------------------------------------------------------------
class FakeStore:
    """A loopback HTTP server answering every request with one canned reply, and logging requests."""

    def __init__(
        self, status: int, headers: dict[str, str] | None = None, body: bytes = b"", count: int | None = None
    ) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        fake = self
        self.requests: list[tuple[str, str, dict[str, str]]] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                fake.requests.append((self.command, self.path, dict(self.headers)))
                if self.path.startswith("/query") and count is not None:
                    reply, code = (
                        json.dumps(
                            {
                                "head": {"vars": ["n"]},
                                "results": {"bindings": [{"n": {"type": "literal", "value": str(count)}}]},
                            }
                        ).encode(),
                        200,
                    )
                else:
                    reply, code = body, status
                self.send_response(code)
                for name, value in (headers or {}).items():
                    self.send_header(name, value.replace("{port}", str(fake.port)))
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_PUT = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.store = f"http://127.0.0.1:{self.port}/store"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("append", [False, True])
def test_push_never_follows_a_redirect(graph_file, capsys, status, append):
    elsewhere = FakeStore(204)
    redirecting = FakeStore(status, {"Location": f"http://127.0.0.1:{elsewhere.port}/steal"})
    try:
        endpoint = f"http://admin:secret@127.0.0.1:{redirecting.port}/store"
        with pytest.raises(
            EndpointError, match=rf"HTTP {status}.*redirect to http://127\.0\.0\.1:{elsewhere.port}/steal"
        ):
            push(graph_file, endpoint, replace=not append)
        arguments = ["push", "-g", str(graph_file), "--endpoint", endpoint] + (["--append"] if append else [])
        assert main(arguments) == 1
        captured = capsys.readouterr()
        assert captured.out == "" and "does not follow redirects" in captured.err
        assert elsewhere.requests == []  # nothing, and no credentials, went to the redirect target
        assert all(method == ("POST" if append else "PUT") for method, _, _ in redirecting.requests)
    finally:
        elsewhere.close()
        redirecting.close()


@pytest.mark.parametrize("status", [202, 203, 205])
def test_push_success_only_when_the_store_confirms(graph_file, status):
    store = FakeStore(status)
    try:
        with pytest.raises(EndpointError, match=rf"HTTP {status}.*does not confirm"):
            push(graph_file, store.store)
    finally:
        store.close()


def test_push_time_limit_is_for_the_whole_exchange(graph_file):
    """A store that trickles its answer a byte at a time cannot hold kg push past --timeout."""
    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    stop = threading.Event()

    def trickle() -> None:
        listening.settimeout(10)
        try:
            connection, _ = listening.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(10)
            try:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                for _ in range(200):  # at most 40 s, ended early when the test is over
                    if stop.wait(0.2):
                        return
                    connection.sendall(b"x")
            except OSError:
                return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(EndpointError, match="did not finish within 1 s"):
            push(graph_file, f"http://127.0.0.1:{port}/store", timeout=1)
        assert time.monotonic() - started < 20  # generous: the trickle alone would last 40 s
    finally:
        stop.set()
        thread.join(15)
        listening.close()


def test_push_verify_counts_on_the_store(graph_file, oxigraph, capsys):
    iri = "https://example.org/verified"
    report = push(graph_file, oxigraph.store, graph_iri=iri, verify=True)
    assert report.verified == report.triples == oxigraph.count(iri)
    assert main(["push", "-g", str(graph_file), "--endpoint", oxigraph.store, "--graph-iri", iri, "--verify"]) == 0
    assert f"the store counts {report.triples}" in capsys.readouterr().out


def test_push_verify_catches_a_store_that_lost_triples(graph_file, capsys):
    store = FakeStore(204, count=5)
    try:
        with pytest.raises(EndpointError, match=r"finds 5 triples in the graph where kg sent \d+"):
            push(graph_file, store.store, verify=True)
        assert [path for _, path, _ in store.requests] == ["/store?default", "/query"]
    finally:
        store.close()


@pytest.mark.parametrize(
    "endpoint, expected",
    [("http://h:7878/store", "http://h:7878/query"), ("http://h:3030/ds/data", "http://h:3030/ds/query")],
)
def test_push_query_endpoint_beside_the_store(endpoint, expected):
    from kg.push import query_endpoint_for

    assert query_endpoint_for(endpoint) == expected
    with pytest.raises(UsageError, match="--query-endpoint"):
        query_endpoint_for("http://h/graphs")


# -- uploads cut short ------------------------------------------------------------------------
class CuttingStore:
    """A loopback server that reads ``take`` bytes of the request and then closes the connection
    (``answer`` None) or stays silent until the test ends (``answer`` "silent")."""

    def __init__(self, take: int, answer: str | None = None) -> None:
        self.listening = socket.create_server(("127.0.0.1", 0))
        self.store = f"http://127.0.0.1:{self.listening.getsockname()[1]}/store"
        self.stop = threading.Event()
        self.received = 0
        self.take, self.answer = take, answer
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.listening.settimeout(20)
        try:
            connection, _ = self.listening.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(20)
            try:
                while self.received < self.take:
                    chunk = connection.recv(min(65536, self.take - self.received))
                    if not chunk:
                        break
                    self.received += len(chunk)
                if self.answer == "silent":
                    self.stop.wait(20)
                else:  # a reset, as a store that dies or drops the request does
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.thread.join(25)
        self.listening.close()


def _cut_message(error: str, url: str) -> None:
    assert f"the graph at {url} may be unchanged or incomplete" in error and "--verify" in error


@pytest.mark.parametrize("take", [200, 4096, 30_000])  # in the headers, early and further in the body
def test_push_cut_mid_upload_says_the_graph_may_be_incomplete(graph_file, capsys, take):
    assert graph_file.stat().st_size > take * 2
    server = CuttingStore(take)
    try:
        assert main(["push", "-g", str(graph_file), "--endpoint", server.store]) == 1
    finally:
        server.close()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.err.startswith(f"kg: {server.store} closed the connection during the upload")
    _cut_message(captured.err, server.store + "?default")
    assert 0 < server.received <= take


def test_push_store_silent_after_the_body_says_the_graph_may_be_incomplete(graph_file):
    server = CuttingStore(graph_file.stat().st_size, answer="silent")
    started = time.monotonic()
    try:
        with pytest.raises(EndpointError, match=r"did not finish within 1 s") as caught:
            push(graph_file, server.store, timeout=1, graph_iri="https://example.org/cut")
    finally:
        server.close()
    assert time.monotonic() - started < 15
    _cut_message(str(caught.value), server.store + "?graph=https%3A%2F%2Fexample.org%2Fcut")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_push_store_failing_says_the_graph_may_be_incomplete(graph_file, capsys, status):
    store = FakeStore(status, body=b"storage error")
    try:
        assert main(["push", "-g", str(graph_file), "--endpoint", store.store, "--append"]) == 1
    finally:
        store.close()
    err = capsys.readouterr().err
    assert err.startswith(f"kg: {store.store}?default refused the upload: HTTP {status}") and "(storage error)" in err
    _cut_message(err, store.store + "?default")


def test_push_refused_by_the_store_is_not_called_incomplete(graph_file):
    """A 4xx is the store refusing the request: nothing was taken, and the message says no more."""
    store = FakeStore(403)
    try:
        with pytest.raises(EndpointError, match="HTTP 403") as caught:
            push(graph_file, store.store)
    finally:
        store.close()
    assert "incomplete" not in str(caught.value)
