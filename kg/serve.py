"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over one graph, on the standard library.

    >>> from kg.serve import make_server
    >>> server = make_server("out/graph.ttl", port=0)     # doctest: +SKIP
    >>> server.url                                         # doctest: +SKIP
    'http://127.0.0.1:54321/sparql'

``GET /sparql?query=…`` and ``POST /sparql`` (an HTML form body or ``application/sparql-query``)
answer with SPARQL results JSON, XML, CSV or TSV (SELECT, ASK) or Turtle, N-Triples, JSON-LD or
RDF/XML (CONSTRUCT, DESCRIBE), chosen from the ``Accept`` header. Updates are refused with 403.

Queries run on an in-memory Oxigraph store in worker threads (Oxigraph releases the GIL while it
evaluates). Each query has a time limit: rows stop being collected at the deadline and the client
gets 503. pyoxigraph cannot interrupt a single long step such as a big sort (oxigraph issue
#1336), so such a query keeps its worker until it finishes; the number of workers is bounded,
and once all are busy, new queries wait up to the time limit and then get 503 too.
``SERVICE`` (federated queries, which would make the server fetch URLs) is refused.
"""

from __future__ import annotations

import html
import os
import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .errors import QueryError, UsageError
from .query import QueryTimeout, Results, is_update, load_store, run

__all__ = ["SparqlEndpoint", "SparqlServer", "make_server", "negotiate", "uses_service"]

#: Largest request body accepted (a query, not data).
MAX_BODY = 1 << 20

#: (media type, Results format) offered for SELECT/ASK results, the first is the default.
RESULT_TYPES: list[tuple[str, str]] = [
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("text/plain", "table"),
]
#: The same for CONSTRUCT/DESCRIBE graphs.
GRAPH_TYPES: list[tuple[str, str]] = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("text/plain", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/json", "json-ld"),
    ("application/rdf+xml", "xml"),
]
#: What each format is sent as, whichever alias was asked for.
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "table": "text/plain; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
}
#: ``format=`` request parameter values (as SPARQLWrapper and browsers send them).
FORMAT_PARAMS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "text": "table", "turtle": "turtle", "nt": "nt", "json-ld": "json-ld"}


def negotiate(accept: str | None, offers: list[tuple[str, str]]) -> str | None:
    """The format of the best offer for an ``Accept`` header (q-values, ``*/*``, ``type/*``).

    Returns the first offer's format when there is no header, and None when nothing offered
    is acceptable.
    """
    if not accept or not accept.strip():
        return offers[0][1]
    ranges = []
    for position, item in enumerate(accept.split(",")):
        fields = [part.strip() for part in item.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, position))
    best: tuple[float, int, int, int] | None = None
    choice = None
    for index, (offer, fmt) in enumerate(offers):
        kind = offer.split("/")[0]
        for media, quality, position in ranges:
            if media == offer:
                specificity = 2
            elif media == f"{kind}/*":
                specificity = 1
            elif media == "*/*":
                specificity = 0
            else:
                continue
            if quality <= 0:
                continue
            key = (quality, specificity, -position, -index)
            if best is None or key > best:
                best, choice = key, fmt
    return choice


_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
)


def uses_service(sparql: str) -> bool:
    """True when the query has a ``SERVICE`` clause (strings, IRIs and comments are skipped)."""
    code = _SKIP.sub(" ", sparql)
    return re.search(r"(?<![\w:?$])SERVICE(?![\w:])", code, re.IGNORECASE) is not None


class SparqlEndpoint:
    """Queries on one in-memory Oxigraph store, each in a worker thread with a time limit."""

    def __init__(self, store: Any, *, timeout: float = 30.0, workers: int = 4) -> None:
        if timeout <= 0:
            raise UsageError("the query time limit must be positive")
        self.store = store
        self.timeout = timeout
        self.triples = len(store)
        self._slots = threading.BoundedSemaphore(max(1, workers))

    def execute(self, sparql: str) -> Results:
        """Run a read-only query; :class:`QueryTimeout` after the time limit, :class:`QueryError` if bad."""
        if uses_service(sparql):
            raise PermissionError("SERVICE (federated query) is not allowed on this endpoint")
        if not self._slots.acquire(timeout=self.timeout):
            raise QueryTimeout(f"the server is busy with other queries; try again (time limit {self.timeout:g} s)")
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                outcome["results"] = run(self.store, sparql, timeout=self.timeout)
            except BaseException as error:  # noqa: BLE001 - handed to the request thread
                outcome["error"] = error
            finally:
                self._slots.release()
                done.set()

        threading.Thread(target=work, name="kg-sparql-query", daemon=True).start()
        if not done.wait(self.timeout + 0.5):
            raise QueryTimeout(f"the query ran past the {self.timeout:g} s time limit")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["results"]


class SparqlServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that owns a :class:`SparqlEndpoint`; ``url`` is its /sparql address."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], endpoint: SparqlEndpoint, *, quiet: bool = False) -> None:
        self.endpoint = endpoint
        self.quiet = quiet
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/sparql"


def make_server(
    graph: str | os.PathLike[str] | Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8787,
    timeout: float = 30.0,
    workers: int = 4,
    quiet: bool = False,
) -> SparqlServer:
    """A server for ``graph`` (a file path or a pyoxigraph Store), bound but not yet serving.

    Call ``serve_forever()`` (in a thread, for tests), then ``shutdown()`` and ``server_close()``.
    ``port=0`` picks a free port; ``server.url`` tells which.
    """
    store = load_store(graph) if isinstance(graph, (str, os.PathLike)) else graph
    endpoint = SparqlEndpoint(store, timeout=timeout, workers=workers)
    try:
        return SparqlServer((host, port), endpoint, quiet=quiet)
    except OSError as error:
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


_FORM_PAGE = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>kg SPARQL endpoint</title></head>
<body><h1>kg SPARQL endpoint</h1>
<p>{triples} triples, read-only. Send <code>GET /sparql?query=…</code> or <code>POST /sparql</code>.</p>
<form method="get" action="/sparql"><textarea name="query" rows="12" cols="90">{example}</textarea><br>
<select name="format"><option value="text">table</option><option value="json">JSON</option>
<option value="xml">XML</option><option value="csv">CSV</option><option value="tsv">TSV</option></select>
<button type="submit">Run</button></form></body></html>
"""
_EXAMPLE = """PREFIX kg: <https://w3id.org/parkkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?park ?enterprise WHERE {
  ?p a kg:Park ; rdfs:label ?park ; kg:hosts/rdfs:label ?enterprise .
} LIMIT 50"""


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def _text(status: int, message: str) -> _Reply:
    return _Reply(status, (message.rstrip() + "\n").encode("utf-8"))


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-sparql"
    protocol_version = "HTTP/1.1"

    # -- HTTP methods -------------------------------------------------------------------
    def do_GET(self) -> None:
        self._send(self._get())

    def do_POST(self) -> None:
        self._send(self._post())

    def _refuse_method(self) -> None:
        self._drain()
        reply = _text(HTTPStatus.METHOD_NOT_ALLOWED, "this endpoint is read-only: use GET or POST with a query")
        reply.headers = (("Allow", "GET, POST"),)
        self._send(reply)

    def _drain(self) -> None:
        """Read and drop a body we refuse, so the client can read our answer; close if it is huge."""
        try:
            remaining = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            remaining = -1
        if remaining < 0 or remaining > MAX_BODY:
            self.close_connection = True
            return
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    # -- requests -----------------------------------------------------------------------
    def _route(self) -> tuple[str, dict[str, list[str]]] | _Reply:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        if path not in ("/sparql", "/"):
            return _text(HTTPStatus.NOT_FOUND, f"no such resource {parts.path}; the SPARQL endpoint is /sparql")
        return path, parse_qs(parts.query, keep_blank_values=True)

    def _get(self) -> _Reply:
        routed = self._route()
        if isinstance(routed, _Reply):
            return routed
        _, params = routed
        if "update" in params:
            return self._refuse_update()
        if "query" not in params:
            page = _FORM_PAGE.format(triples=self.server.endpoint.triples, example=html.escape(_EXAMPLE))
            return _Reply(HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8")
        return self._answer(params)

    def _post(self) -> _Reply:
        routed = self._route()
        if isinstance(routed, _Reply):
            self._drain()
            return routed
        _, params = routed
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            return _text(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length header")
        try:
            size = int(length)
        except ValueError:
            self.close_connection = True
            return _text(HTTPStatus.BAD_REQUEST, f"bad Content-Length {length!r}")
        if size < 0 or size > MAX_BODY:
            self.close_connection = True
            return _text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request body is limited to {MAX_BODY} bytes")
        body = self.rfile.read(size)
        media, charset = _content_type(self.headers.get("Content-Type", ""))
        try:
            text = body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return _text(HTTPStatus.BAD_REQUEST, f"the request body is not valid {charset}")
        if media == "application/sparql-update" or "update" in params:
            return self._refuse_update()
        if media == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            if "update" in form:
                return self._refuse_update()
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
            if "query" not in params:
                return _text(HTTPStatus.BAD_REQUEST, "the form has no 'query' field")
            return self._answer(params)
        if media == "application/sparql-query":
            if "query" in params:
                return _text(HTTPStatus.BAD_REQUEST, "give the query once: in the body or in ?query=, not both")
            params["query"] = [text]
            return self._answer(params)
        return _text(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"cannot read a {media or 'untyped'} body; send application/sparql-query or an "
            "application/x-www-form-urlencoded form with a 'query' field",
        )

    def _refuse_update(self) -> _Reply:
        return _text(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL Update is not accepted")

    def _answer(self, params: dict[str, list[str]]) -> _Reply:
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return _text(HTTPStatus.BAD_REQUEST, "give exactly one non-empty 'query'")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return _text(HTTPStatus.BAD_REQUEST, "this endpoint serves one graph; default-graph-uri and named-graph-uri are not supported")
        sparql = queries[0]
        try:
            results = self.server.endpoint.execute(sparql)
        except PermissionError as error:
            return _text(HTTPStatus.FORBIDDEN, str(error))
        except QueryTimeout as error:
            return _text(HTTPStatus.SERVICE_UNAVAILABLE, str(error))
        except QueryError as error:
            if is_update(sparql):
                return self._refuse_update()
            return _text(HTTPStatus.BAD_REQUEST, str(error))
        except Exception as error:  # noqa: BLE001 - never leave a client without an answer
            self.log_error("query failed: %r", error)
            return _text(HTTPStatus.INTERNAL_SERVER_ERROR, f"the query failed: {error}")
        offers = GRAPH_TYPES if results.kind == "graph" else RESULT_TYPES
        requested = params.get("format", params.get("output", []))
        fmt = FORMAT_PARAMS.get(requested[0].lower()) if requested else None
        if fmt is not None and fmt not in {offer for _, offer in offers}:
            fmt = None
        if fmt is None:
            fmt = negotiate(self.headers.get("Accept"), offers)
        if fmt is None:
            offered = ", ".join(dict.fromkeys(media for media, _ in offers))
            return _text(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer in any type you accept; offered: {offered}")
        try:
            body = results.serialize(fmt, max_width=0)
        except UsageError as error:
            return _text(HTTPStatus.NOT_ACCEPTABLE, str(error))
        return _Reply(HTTPStatus.OK, body.encode("utf-8"), CONTENT_TYPES[fmt], (("Vary", "Accept"),))

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)


def _content_type(header: str) -> tuple[str, str]:
    """(media type, charset) of a Content-Type header; UTF-8 when no charset is named."""
    fields = [part.strip() for part in header.split(";")]
    charset = "utf-8"
    for parameter in fields[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return fields[0].lower(), charset
