"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over one graph, on the standard library.

    >>> from kg.serve import make_server
    >>> server = make_server("out/graph.ttl", port=0)     # doctest: +SKIP
    >>> server.url                                         # doctest: +SKIP
    'http://127.0.0.1:54321/sparql'

``GET /sparql?query=…`` and ``POST /sparql`` (an HTML form body or ``application/sparql-query``)
answer with SPARQL results JSON, XML, CSV or TSV (SELECT, ASK) or Turtle, N-Triples, JSON-LD or
RDF/XML (CONSTRUCT, DESCRIBE), chosen from the ``Accept`` header. Updates are refused with 403.

Queries run in worker processes (:mod:`kg.sandbox`), each with its own copy of the graph: a
query past the time limit (evaluation and serialisation) is stopped by killing its worker, a
query that crashes the engine kills only its worker, and either way the client gets an error
and a new worker takes the place of the old one. Workers cannot open network connections
(Linux seccomp), and ``SERVICE`` (federated queries, which would make the server fetch URLs)
is refused with 403, decided on the parsed query. Results are limited in size. Requests must
name this server in ``Host`` (no DNS rebinding) and, when they carry an ``Origin``, come from it
(no cross-site form posts).
"""

from __future__ import annotations

import html
import ipaddress
import os
import re
import signal
import socket
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlsplit

from .errors import KGError, QueryError, UsageError
from .query import PREFIXES, Results, is_update, load_store, reads_named_graphs, syntax_error
from .rdfio import FORMATS, RESULT_FORMATS, ox_format, read_triple_count
from .sandbox import WorkerPool, deny_network, describe_exit, limit_data

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self is 3.11+; only the type checker reads it

__all__ = ["QueryRefused", "SparqlEndpoint", "SparqlServer", "make_server", "negotiate", "uses_service"]

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
#: What each format is sent as, whichever alias was asked for (text in UTF-8): results, then graphs.
CONTENT_TYPES = {f.name: f.media_type for f in RESULT_FORMATS.values()}
GRAPH_CONTENT_TYPES = {
    f.name: f.media_type + ("; charset=utf-8" if f.media_type.startswith("text/") else "")
    for f in (FORMATS[name] for name in ("turtle", "nt", "json-ld", "xml"))
}
#: ``format=`` request parameter values (as SPARQLWrapper and browsers send them).
FORMAT_PARAMS = {
    "json": "json",
    "xml": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "text": "table",
    "turtle": "turtle",
    "nt": "nt",
    "json-ld": "json-ld",
}


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
            rank = (quality, specificity, -position, -index)
            if best is None or rank > best:
                best, choice = rank, fmt
    return choice


# -- what a query may do ----------------------------------------------------------------------
_ESCAPES = re.compile(r"\\\\|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")


def _as_oxigraph_reads_it(sparql: str) -> str:
    r"""The query with its lexical differences from Oxigraph's reading taken out, for rdflib.

    Oxigraph expands ``\u`` escapes only inside strings and IRIs, where they never end the
    string or IRI; rdflib expands them everywhere first, so an escaped quote would end a string
    for rdflib and not for Oxigraph. Each escape becomes a plain ``x`` (same structure in both
    readings; an escape outside strings and IRIs is an error to both). Oxigraph ends a ``#``
    comment at a carriage return as well as a line feed, rdflib only at a line feed.
    """
    text = _ESCAPES.sub(lambda match: match.group(0) if match.group(0) == "\\\\" else "x", sparql)
    return text.replace("\r", "\n")


def uses_service(sparql: str) -> bool:
    """True when the parsed query has a ``SERVICE`` pattern anywhere (any spelling, any depth).

    The query is parsed with rdflib's SPARQL 1.1 parser, read the way Oxigraph reads it (see
    :func:`_as_oxigraph_reads_it`). Raises :class:`QueryError` when the query does not parse:
    the endpoint does not run what it cannot check.
    """
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = parseQuery(_as_oxigraph_reads_it(sparql))
    except RecursionError:
        raise QueryError("the query is nested too deeply to be checked") from None
    except Exception as error:  # noqa: BLE001 - pyparsing and rdflib raise many types
        raise QueryError(" ".join(str(error).split())[:300]) from None
    stack: list[Any] = [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "as_list"):
            stack.extend(node)
    return False


# -- the worker process: checks, runs and serialises one query at a time ----------------------
_SERVICE_REFUSED = (
    "SERVICE (federated query) is not allowed on this endpoint: it would make the server send "
    "requests to other addresses; query the other endpoint yourself"
)
#: Queries up to this length have their SERVICE check remembered (dashboards repeat theirs).
_CACHED_QUERY = 16 * 1024
#: How much of a result a worker holds in memory before it spools to a temporary file.
_SPOOL_MEMORY = 8 << 20
_CHUNK = 64 * 1024


class _TooLarge(Exception):
    """A result grew past the byte limit."""


class _Spool:
    """Text written in pieces, counted against a byte limit, kept in memory then on disk."""

    def __init__(self, limit: int) -> None:
        import tempfile

        self.limit = limit
        self.size = 0
        self.file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)  # noqa: SIM115 - closed by __exit__

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def write(self, data: str | bytes) -> int:
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self.size += len(raw)
        if self.size > self.limit:
            raise _TooLarge()
        self.file.write(raw)
        return len(raw)

    def flush(self) -> None:
        """File-like no-op (pyoxigraph's serialiser calls it)."""


def _worker_main(conn: Any, source: str, mode: str, memory: str = "0") -> None:
    """A query worker: deny the network (``mode`` "sandbox"), load the graph, answer until EOF.

    With ``memory`` (bytes), the worker's data may grow by that much beyond the loaded graph:
    a query that wants more fails (the engine aborts) instead of the machine running out.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    sandboxed = deny_network() if mode == "sandbox" else False
    try:
        store = load_store(source)
    except KGError as error:
        conn.send(("failed", type(error).__name__, str(error)))
        return
    union = reads_named_graphs(store)
    triples = read_triple_count(store, union)  # before the limit: the union's count holds every triple once
    if int(memory):
        limit_data(int(memory))
    import pyoxigraph as ox

    empty = ox.Store()
    checked: dict[str, bool] = {}
    uses_service("ASK {}")  # builds rdflib's grammar now, not during the first request
    conn.send(("ready", {"sandboxed": sandboxed, "triples": triples}))
    while True:
        try:
            request = conn.recv()
            _answer_request(conn, store, empty, union, sandboxed, checked, request)
        except (EOFError, OSError):
            return  # the server went away
        except Exception as error:  # noqa: BLE001 - a fault of ours: log it, answer, keep serving
            traceback.print_exc()
            conn.send(("error", HTTPStatus.INTERNAL_SERVER_ERROR, f"the query failed: {type(error).__name__}: {error}"))


def _answer_request(
    conn: Any, store: Any, empty: Any, union: bool, sandboxed: bool, checked: dict[str, bool], request: dict[str, Any]
) -> None:
    """Send ``("error", status, message)`` or ``("head", status, type, size)`` then the bytes."""
    sparql: str = request["query"]
    if sandboxed:
        # The engine cannot connect anywhere here, so it may read the query first: a
        # malformed one (even a megabyte of it) is rejected in milliseconds.
        reason = _oxigraph_syntax(empty, sparql)
        if reason is not None:
            conn.send(("error", *_rejected(sparql, reason)))
            return
    verdict = checked.get(sparql)
    if verdict is None:
        try:
            verdict = uses_service(sparql)
        except QueryError as error:
            if not sandboxed:
                conn.send(("error", *_rejected(sparql, str(error))))
            else:
                conn.send(
                    (
                        "error",
                        HTTPStatus.FORBIDDEN,
                        f"this endpoint runs only queries it can check for SERVICE, and its SPARQL 1.1 "
                        f"parser cannot read this one ({error}); write it in standard SPARQL 1.1",
                    )
                )
            return
        if len(sparql) <= _CACHED_QUERY:
            if len(checked) >= 512:
                checked.clear()
            checked[sparql] = verdict
    if verdict:
        conn.send(("error", HTTPStatus.FORBIDDEN, _SERVICE_REFUSED))
        return
    with _Spool(request["max_bytes"]) as spool:
        try:
            head = _evaluate(store, union, sparql, request, spool)
        except _TooLarge:
            conn.send(
                (
                    "error",
                    HTTPStatus.INSUFFICIENT_STORAGE,
                    f"the results are larger than this endpoint's limit of {_megabytes(request['max_bytes'])}; "
                    "add a LIMIT, select fewer variables, or ask the server's owner to raise --max-result-mb",
                )
            )
            return
        except QueryError as error:
            conn.send(("error", HTTPStatus.INTERNAL_SERVER_ERROR, str(error)))
            return
        if head[0] != HTTPStatus.OK:
            conn.send(("error", *head))
            return
        conn.send(("head", HTTPStatus.OK, head[1], spool.size))
        spool.file.seek(0)
        while chunk := spool.file.read(_CHUNK):
            conn.send_bytes(chunk)


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.3g} MB"


def _oxigraph_syntax(empty: Any, sparql: str) -> str | None:
    """Oxigraph's syntax error for ``sparql`` (read on an empty store), or None if it parses."""
    try:
        answer = empty.query(sparql, prefixes=PREFIXES)
    except SyntaxError as error:
        return str(error)
    except (OSError, RuntimeError, ValueError):
        return None  # it parsed; evaluating it on nothing failed, which does not matter
    del answer
    return None


def _rejected(sparql: str, reason: str) -> tuple[int, str]:
    """403 for an update, 400 with the position for anything else that does not parse."""
    if is_update(sparql):
        return HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL Update is not accepted"
    return HTTPStatus.BAD_REQUEST, str(syntax_error(sparql, reason))


def _evaluate(store: Any, union: bool, sparql: str, request: dict[str, Any], spool: _Spool) -> tuple[int, str]:
    """Run the query into ``spool``; (200, content type) or (an error status, its message)."""
    import pyoxigraph as ox

    try:
        answer = store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=union)
    except SyntaxError as error:
        return _rejected(sparql, str(error))
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(f"the query failed: {error}") from None
    try:
        if isinstance(answer, ox.QueryTriples):
            fmt = _choose(request, GRAPH_TYPES)
            if fmt is None:
                return _not_acceptable(GRAPH_TYPES)
            ox.serialize(
                answer, cast("IO[bytes]", spool), ox_format(fmt), prefixes=PREFIXES if fmt == "turtle" else None
            )
            return HTTPStatus.OK, GRAPH_CONTENT_TYPES[fmt]
        fmt = _choose(request, RESULT_TYPES)
        if fmt is None:
            return _not_acceptable(RESULT_TYPES)
        if fmt == "table":
            if isinstance(answer, ox.QueryBoolean):
                _write_table(spool, "ask", [], iter(()), bool(answer))
            else:
                variables = [variable.value for variable in answer.variables]
                _write_table(spool, "select", variables, (tuple(solution) for solution in answer), None)
        else:  # pyoxigraph's own writers, row by row into the spool
            name = RESULT_FORMATS[fmt].oxigraph
            assert name is not None  # only the table has no pyoxigraph writer
            answer.serialize(spool, getattr(ox.QueryResultsFormat, name))
        return HTTPStatus.OK, CONTENT_TYPES[fmt]
    except _TooLarge:
        raise
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(f"the query failed: {error}") from None
    finally:
        del answer


def _write_table(
    spool: _Spool, kind: str, variables: list[str], rows: Iterator[tuple[Any, ...]], boolean: bool | None
) -> None:
    """The terminal table (it needs every row for its widths): rows are counted against the limit."""
    raw = []
    size = 0
    for row in rows:
        size += sum(len(str(term)) + 3 for term in row)
        if size > spool.limit:
            raise _TooLarge()
        raw.append(row)
    results = Results(kind, variables, boolean, engine="oxigraph", _raw=raw)  # type: ignore[arg-type]
    spool.write(results.table(max_width=0) + "\n")


def _choose(request: dict[str, Any], offers: list[tuple[str, str]]) -> str | None:
    """The format of the ``format=`` parameter if it fits the result, else by ``Accept``."""
    fmt = FORMAT_PARAMS.get((request.get("format") or "").lower())
    if fmt is not None and fmt in {offer for _, offer in offers}:
        return fmt
    return negotiate(request.get("accept"), offers)


def _not_acceptable(offers: list[tuple[str, str]]) -> tuple[int, str]:
    offered = ", ".join(dict.fromkeys(media for media, _ in offers))
    return HTTPStatus.NOT_ACCEPTABLE, f"cannot answer in any type you accept; offered: {offered}"


# -- the server side: lend a worker, hold it to the time limit ------------------------------
class QueryRefused(QueryError):
    """A query the endpoint answers with an HTTP error (status and message)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = int(status)
        super().__init__(message)


class SparqlEndpoint:
    """Queries answered by a pool of worker processes, each request held to the time limit.

    ``source`` is an RDF file or store folder every worker loads. A worker that passes the time
    limit (evaluation and serialisation included) is killed and replaced; so is one that
    crashes. Results are spooled by the worker, up to ``max_bytes``, and sent when complete, so
    an error (time limit, size limit) always arrives as an HTTP error status.
    """

    def __init__(
        self,
        source: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        workers: int = 4,
        max_bytes: int = 256 << 20,
        memory_mb: float = 2048,
        sandbox: bool = True,
        temporary: bool = False,
    ) -> None:
        self._temporary = os.fspath(source) if temporary else None
        if timeout <= 0:
            raise UsageError("the query time limit must be positive")
        if max_bytes <= 0:
            raise UsageError("the result size limit must be positive")
        self.timeout = timeout
        self.max_bytes = max_bytes
        if memory_mb < 0:
            raise UsageError("the worker memory limit must be positive (or 0 for none)")
        self.memory_mb = memory_mb
        mode = "sandbox" if sandbox else "open"
        arguments = (os.fspath(source), mode, str(int(memory_mb * (1 << 20))))
        self.pool = WorkerPool("kg.serve:_worker_main", arguments, workers)
        self.triples: int = self.pool.info["triples"]
        self.sandboxed: bool = self.pool.info["sandboxed"]

    def execute(self, sparql: str, *, accept: str | None = None, fmt: str | None = None) -> tuple[str, int, _Answer]:
        """(content type, size, body chunks) of a query's answer; :class:`QueryRefused` if none.

        The worker stays lent to the answer until it is closed (``close()``, read or not).
        """
        started = time.monotonic()
        worker = self.pool.acquire(self.timeout)
        if worker is None:
            raise QueryRefused(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"the server is busy with other queries; try again (time limit {self.timeout:g} s)",
            )
        deadline = started + self.timeout
        try:
            try:
                worker.conn.send({"query": sparql, "accept": accept, "format": fmt, "max_bytes": self.max_bytes})
            except OSError:
                raise QueryRefused(
                    HTTPStatus.SERVICE_UNAVAILABLE, "a query worker had stopped and is being replaced; try again"
                ) from None
            message = self._receive(worker, deadline, lambda: worker.conn.recv())
        except BaseException:
            self.pool.discard(worker)
            raise
        if message[0] == "error":
            self.pool.release(worker)
            raise QueryRefused(message[1], message[2])
        _, _, content_type, size = message
        return content_type, size, _Answer(self, worker, size, deadline + self.timeout)

    def _receive(self, worker: Any, deadline: float, read: Any) -> Any:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not worker.conn.poll(remaining):
            raise QueryRefused(
                HTTPStatus.SERVICE_UNAVAILABLE, f"the query ran past the {self.timeout:g} s time limit and was stopped"
            )
        try:
            return read()
        except (EOFError, OSError):
            raise QueryRefused(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                f"the query engine crashed on this query ({describe_exit(worker.exitcode)}); the server goes on. "
                "Simplify the query (fewer nested parentheses, ORDER BY on values of one type"
                + (f", less than {self.memory_mb:g} MB of intermediate results)" if self.memory_mb else ")"),
            ) from None

    def close(self) -> None:
        """Stop the workers (and remove the graph file made for them, if any)."""
        self.pool.close()
        if self._temporary is not None and os.path.exists(self._temporary):
            os.unlink(self._temporary)


class _Answer:
    """The body of one answer as a worker sends it, in chunks; the worker is lent until :meth:`close`."""

    def __init__(self, endpoint: SparqlEndpoint, worker: Any, size: int, deadline: float) -> None:
        self.endpoint = endpoint
        self.worker = worker
        self.size = size
        self.deadline = deadline
        self.received = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        conn = self.worker.conn
        while self.received < self.size:
            chunk = self.endpoint._receive(self.worker, self.deadline, conn.recv_bytes)
            self.received += len(chunk)
            yield chunk

    def close(self) -> None:
        """Give the worker back, or replace it if it stopped in the middle of the answer."""
        if self.closed:
            return
        self.closed = True
        if self.received < self.size:
            self.endpoint.pool.discard(self.worker)
        else:
            self.endpoint.pool.release(self.worker)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SparqlServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that owns a :class:`SparqlEndpoint`; ``url`` is its /sparql address."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        endpoint: SparqlEndpoint,
        *,
        quiet: bool = False,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        self.endpoint = endpoint
        self.quiet = quiet
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.names = {name.lower().strip("[]") for name in allowed_hosts}

    @property
    def url(self) -> str:
        address, port = self.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else address
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/sparql"

    def host_allowed(self, authority: str) -> bool:
        """Whether a ``Host`` (or an Origin's host:port) names this server, not another site.

        A DNS name other than localhost and the ``--allow-host`` names (any port: a proxy's) is
        refused: that is how DNS rebinding reaches a server on loopback. An IP address must be
        the bound one (any, when bound to all addresses) and the port ours.
        """
        parts = urlsplit("//" + authority)
        try:
            hostname, port = parts.hostname, parts.port
        except ValueError:
            return False
        if not hostname:
            return False
        if hostname in self.names:
            return True  # a name given with --allow-host, on whatever port its proxy listens
        bound, our_port = self.server_address[0], self.server_address[1]
        if (port or 80) != our_port:
            return False
        if _is_loopback(str(bound)):
            return _is_loopback(hostname)
        try:
            address = ipaddress.ip_address(hostname)
        except ValueError:
            return False
        return str(bound) in ("0.0.0.0", "::") or address == ipaddress.ip_address(str(bound))

    def server_close(self) -> None:
        super().server_close()
        self.endpoint.close()


def make_server(
    graph: str | os.PathLike[str] | Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8787,
    timeout: float = 30.0,
    workers: int = 4,
    quiet: bool = False,
    public: bool = False,
    allowed_hosts: Iterable[str] = (),
    max_result_mb: float = 256,
    worker_memory_mb: float = 2048,
) -> SparqlServer:
    """A server for ``graph`` (a file path, a store folder or a pyoxigraph Store), bound but not serving.

    Call ``serve_forever()`` (in a thread, for tests), then ``shutdown()`` and ``server_close()``
    (which also stops the query workers). ``port=0`` picks a free port; ``server.url`` tells which.
    A ``host`` that is not a loopback address needs ``public=True``. ``allowed_hosts`` are
    names (besides the address) clients may use in the ``Host`` header, e.g. behind a proxy.
    """
    if not _is_loopback(host) and not public:
        raise UsageError(
            f"--host {host} would let other machines query this graph; add --public to mean it "
            "(and read 'Exposing kg serve' in the README first)"
        )
    temporary = None
    if not isinstance(graph, (str, os.PathLike)):
        import tempfile

        import pyoxigraph as ox

        handle, temporary = tempfile.mkstemp(prefix="kg-serve-", suffix=".nq")
        os.close(handle)
        graph.dump(temporary, format=ox.RdfFormat.N_QUADS)
        source: str | os.PathLike[str] = temporary
    else:
        source = graph
    try:
        endpoint = SparqlEndpoint(
            source,
            timeout=timeout,
            workers=workers,
            max_bytes=int(max_result_mb * (1 << 20)),
            memory_mb=worker_memory_mb,
            temporary=temporary is not None,
        )
    except BaseException:
        if temporary is not None:
            os.unlink(temporary)
        raise
    try:
        return SparqlServer((host, port), endpoint, quiet=quiet, allowed_hosts=allowed_hosts)
    except OSError as error:
        endpoint.close()
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


_ALLOW = "GET, HEAD, POST, OPTIONS"


@dataclass
class _Reply:
    status: int
    body: bytes | _Answer
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    size: int | None = None


def _text(status: int, message: str) -> _Reply:
    return _Reply(status, (message.rstrip() + "\n").encode("utf-8"))


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-sparql"
    protocol_version = "HTTP/1.1"

    timeout = 60  # seconds a client may stall while we read its request or it reads our answer
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms waits for an ACK

    # -- HTTP methods -------------------------------------------------------------------
    def do_GET(self) -> None:
        self._send(self._guard() or self._get())

    def do_HEAD(self) -> None:
        self._send(self._guard() or self._get())

    def do_POST(self) -> None:
        refused = self._guard()
        if refused is not None:
            self._drain()
        self._send(refused or self._post())

    def do_OPTIONS(self) -> None:
        self._drain()
        reply = self._guard() or _Reply(HTTPStatus.NO_CONTENT, b"")
        if reply.status == HTTPStatus.NO_CONTENT:
            reply.headers = (("Allow", _ALLOW),)
        self._send(reply)

    def _guard(self) -> _Reply | None:
        """A 4xx reply for a request that does not name this server or comes from another site."""
        host = self.headers.get("Host")
        if not host or not self.server.host_allowed(host.strip()):
            return _text(
                HTTPStatus.MISDIRECTED_REQUEST,
                f"this server does not answer for Host {host!r}; use {self.server.url} "
                "(names other than the address need kg serve --allow-host NAME)",
            )
        origin = self.headers.get("Origin")
        if origin is not None:
            parts = urlsplit(origin.strip())
            if parts.scheme not in ("http", "https") or not self.server.host_allowed(parts.netloc):
                return _text(HTTPStatus.FORBIDDEN, f"requests from pages of another site ({origin}) are not accepted")
        if self.command == "POST" and self.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
            return _text(HTTPStatus.FORBIDDEN, "form posts from pages of another site are not accepted")
        return None

    def _refuse_method(self) -> None:
        self._drain()
        reply = _text(HTTPStatus.METHOD_NOT_ALLOWED, "this endpoint is read-only: use GET or POST with a query")
        reply.headers = (("Allow", _ALLOW),)
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
            # a hostile request line can be a megabyte long: log its start
            shown = (arg[:300] + "…" if isinstance(arg, str) and len(arg) > 300 else arg for arg in args)
            super().log_message(format, *shown)

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
            return _text(
                HTTPStatus.BAD_REQUEST,
                "this endpoint serves one graph; default-graph-uri and named-graph-uri are not supported",
            )
        requested = params.get("format", params.get("output", []))
        try:
            content_type, size, body = self.server.endpoint.execute(
                queries[0], accept=self.headers.get("Accept"), fmt=requested[0] if requested else None
            )
        except QueryRefused as error:
            if error.status >= 500 and error.status != HTTPStatus.SERVICE_UNAVAILABLE:
                self.log_error("%s", error)
            return _text(error.status, str(error))
        return _Reply(HTTPStatus.OK, body, content_type, (("Vary", "Accept"),), size)

    def _send(self, reply: _Reply) -> None:
        body = reply.body
        size = len(body) if isinstance(body, bytes) else reply.size
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if reply.status != HTTPStatus.NO_CONTENT:
                self.send_header("Content-Length", str(size))
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            if isinstance(body, bytes):
                if self.command != "HEAD":
                    self.wfile.write(body)
                return
            for chunk in body:
                if self.command != "HEAD":
                    self.wfile.write(chunk)
        except QueryRefused as error:  # the worker died or stalled while sending: cut the answer
            self.log_error("answer cut: %s", error)
            self.close_connection = True
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()


def _content_type(header: str) -> tuple[str, str]:
    """(media type, charset) of a Content-Type header; UTF-8 when no charset is named."""
    fields = [part.strip() for part in header.split(";")]
    charset = "utf-8"
    for parameter in fields[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return fields[0].lower(), charset
