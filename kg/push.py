"""``kg push``: load a graph into a triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

    >>> from kg.push import push
    >>> push("out/graph.ttl", "http://localhost:7878/store")        # doctest: +SKIP
    PushReport(url='http://localhost:7878/store?default', method='PUT', triples=1565, ...)

The graph goes to ``ENDPOINT?default`` or ``ENDPOINT?graph=IRI`` with ``PUT`` (replace the
graph) or ``POST`` (add to it). Turtle and N-Triples files are checked with Oxigraph's parser
and sent as they are; other formats (JSON-LD, TriG, N-Quads, RDF/XML) are sent as N-Triples,
named graphs merged. ``user:password@`` in the endpoint URL becomes HTTP basic authentication.
Only 200, 201 or 204 counts as success; anything else raises :class:`~kg.errors.EndpointError`,
a redirect included (it is never followed), and so does a store that cannot be reached or does
not finish within the time limit (for the whole exchange, not per read). An upload cut short
(the connection closed mid-body, the time limit, a 5xx) says that the graph on the store may be
incomplete, and that ``--verify`` counts what it holds.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit, urlunsplit

from rdflib import Graph

from . import __version__
from .errors import EndpointError, UsageError
from .rdfio import FORMATS, STDIO, check_readable, guess_format, load_store, ox_format, oxigraph_parse_error

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph as ox

__all__ = ["PushReport", "push", "query_endpoint_for", "target_url"]

_STATUS_HINTS = {
    401: "the store wants credentials: put user:password@ in the endpoint URL",
    403: "the store refuses writes here (read-only, or the credentials lack the right)",
    404: "is this the Graph Store endpoint? (Oxigraph: http://HOST:7878/store, Fuseki: http://HOST:3030/DATASET/data)",
    405: "the store does not accept uploads at this URL (read-only, or a query endpoint)",
    413: "the store refuses a body this large; split the graph or raise the store's limit",
    415: "the store cannot read this RDF format",
}


@dataclass(frozen=True)
class PushReport:
    """What was sent where, and the store's answer."""

    url: str
    method: str
    triples: int
    bytes: int
    status: int
    verified: int | None = None


def _split_credentials(endpoint: str) -> tuple[str, str | None]:
    """The endpoint without ``user:password@`` and the basic-auth header value, if any."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"endpoint {endpoint!r} is not an http(s) URL, e.g. http://localhost:7878/store")
    if parts.username is None:
        return endpoint, None
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return clean, "Basic " + base64.b64encode(secret).decode("ascii")


def target_url(endpoint: str, graph_iri: str | None = None) -> str:
    """``endpoint?default`` or ``endpoint?graph=IRI`` (kept as is if it already names a graph)."""
    parts = urlsplit(endpoint)
    named = parse_qs(parts.query, keep_blank_values=True)
    if "graph" in named or "default" in named:
        if graph_iri is not None:
            raise UsageError("the endpoint URL already names a graph; drop ?graph=/?default or --graph-iri")
        return endpoint
    if graph_iri is not None:
        if not urlsplit(graph_iri).scheme:
            raise UsageError(f"graph IRI {graph_iri!r} is not absolute; write e.g. https://example.org/graphs/parks")
        selector = "graph=" + quote(graph_iri, safe="")
    else:
        selector = "default"
    query = f"{parts.query}&{selector}" if parts.query else selector
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _payload(source: Any, input_format: str | None = None) -> tuple[bytes | Path, str, int]:
    """(bytes or the file to stream, content type, number of triples) for ``source``: an rdflib
    Graph, a pyoxigraph Store, a file, ``-`` (standard input), a store folder, or several files."""
    import pyoxigraph as ox

    if isinstance(source, Graph):
        data = source.serialize(format="nt", encoding="utf-8")
        return data, FORMATS["nt"].media_type, len(source)
    single = os.fspath(source) if isinstance(source, (str, os.PathLike)) else None
    known = guess_format(single) if single not in (None, STDIO) and input_format is None else None
    if single is not None and known is not None and known.name in ("turtle", "nt"):  # sent as it is, counted on the way
        path = check_readable(single)
        fmt = ox_format(known.name)
        try:
            count = sum(1 for _ in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()))
        except SyntaxError as error:
            raise oxigraph_parse_error(error, str(path), fmt) from None
        return path, known.media_type, count
    store = source if isinstance(source, ox.Store) else load_store(source, format=input_format)
    # The union of the named graphs is the default graph (see load_store), each triple once.
    triples = {
        (quad.subject, quad.predicate, quad.object)
        for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    if not triples:  # a store made elsewhere with named graphs only
        triples = {(quad.subject, quad.predicate, quad.object) for quad in store}
    nt = ox.serialize((ox.Triple(*triple) for triple in triples), format=ox.RdfFormat.N_TRIPLES)
    assert nt is not None  # no output given: serialize returns the bytes
    return nt, FORMATS["nt"].media_type, len(triples)


#: How much of an answer body is read (an error detail or a count, not a download).
_MAX_ANSWER = 64 * 1024
#: Statuses that confirm a Graph Store write (202 Accepted only promises one).
_CONFIRMED = {200, 201, 204}


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    body: bytes
    location: str | None


def _exchange(
    method: str,
    url: str,
    headers: dict[str, str],
    body: Any,
    deadline: float,
    clean: str,
    timeout: float,
    cut: str = "",
) -> _Answer:
    """One HTTP request and its answer, all of it by ``deadline`` (monotonic); redirects are not followed.

    ``cut`` ends the message of an exchange cut short once it may have reached the store.

    A watchdog shuts the socket at the deadline, so a server that trickles its answer a byte at
    a time cannot hold the client past it (a socket timeout only bounds each read).
    """
    parts = urlsplit(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _late(clean, timeout)
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_type(parts.hostname or "", parts.port, timeout=remaining)
    expired = threading.Event()

    def stop() -> None:
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):  # already closed: the exchange is over anyway
                connection.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(remaining, stop)
    watchdog.daemon = True
    watchdog.start()
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read(_MAX_ANSWER)
        if expired.is_set():  # the watchdog cut the answer short
            raise TimeoutError()
        return _Answer(response.status, response.reason, data, response.getheader("Location"))
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set():
            raise EndpointError(f"{_late(clean, timeout)}{cut}") from None
        if isinstance(error, (BrokenPipeError, ConnectionResetError)):
            raise EndpointError(
                f"{clean} closed the connection during the {'upload' if cut else 'request'} without an answer "
                f"(it went down, refused the data: read-only, not a Graph Store endpoint, a size limit){cut}"
            ) from None
        if isinstance(error, TimeoutError):
            raise EndpointError(f"{clean} did not answer within {timeout:g} s{cut}") from None
        if isinstance(error, http.client.HTTPException):
            raise EndpointError(f"the exchange with {clean} failed: {error}{cut}") from None
        raise EndpointError(f"cannot reach {clean}: {error.strerror or error}; is the store running?") from None
    finally:
        watchdog.cancel()
        connection.close()


def _late(clean: str, timeout: float) -> EndpointError:
    return EndpointError(f"{clean} did not finish within {timeout:g} s (the time limit is for the whole exchange)")


def _refusal(url: str, answer: _Answer, what: str) -> EndpointError:
    """The error for an answer that does not confirm ``what`` (a redirect, a 4xx/5xx, a 202)."""
    if 300 <= answer.status < 400:
        where = answer.location or "(no Location given)"
        return EndpointError(
            f"{url} answered HTTP {answer.status} {answer.reason}, a redirect to {where}; kg does not follow "
            f"redirects on {what} (the data and the credentials would go to another address): if that address "
            "is the right one, give it as --endpoint"
        )
    detail = " ".join(answer.body[:400].decode("utf-8", "replace").split())
    if 200 <= answer.status < 300:
        return EndpointError(
            f"{url} answered HTTP {answer.status} {answer.reason}, which does not confirm {what}; check the store"
        )
    message = f"{url} refused {what}: HTTP {answer.status} {answer.reason}"
    if detail:
        message += f" ({detail})"
    if answer.status in _STATUS_HINTS:
        message += f"; {_STATUS_HINTS[answer.status]}"
    if answer.status >= 500 and what == "the upload":
        message += _may_be_incomplete(url)
    return EndpointError(message)


def _may_be_incomplete(url: str) -> str:
    """What an upload cut short or failed by the store leaves: a PUT is atomic in Oxigraph and
    Fuseki, but the protocol does not promise it, and a POST may have added part of the data."""
    return (
        f"; the graph at {url} may be unchanged or incomplete: push again, "
        "with --verify to count the triples the store then holds"
    )


def query_endpoint_for(store_endpoint: str) -> str:
    """The SPARQL query endpoint beside a Graph Store endpoint (Oxigraph /store, Fuseki /data → /query)."""
    parts = urlsplit(store_endpoint)
    path = parts.path.rstrip("/")
    for suffix in ("/store", "/data"):
        if path.endswith(suffix):
            return urlunsplit((parts.scheme, parts.netloc, path[: -len(suffix)] + "/query", "", ""))
    raise UsageError(f"cannot tell the query endpoint of {store_endpoint}; give it with --query-endpoint URL")


def _count(
    query_endpoint: str, graph_iri: str | None, authorization: str | None, deadline: float, timeout: float
) -> int:
    """The number of triples the store holds in the target graph, by a COUNT query."""
    clean, own_authorization = _split_credentials(query_endpoint)
    pattern = f"GRAPH <{graph_iri}> {{ ?s ?p ?o }}" if graph_iri else "?s ?p ?o"
    form = urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"}).encode("ascii")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json",
        "User-Agent": f"kg/{__version__}",
    }
    if credential := own_authorization or authorization:
        headers["Authorization"] = credential
    answer = _exchange("POST", clean, headers, form, deadline, clean, timeout)
    if answer.status != 200:
        raise _refusal(clean, answer, "the count query")
    try:
        document = json.loads(answer.body)
        return int(document["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise EndpointError(
            f"{clean} did not answer the count query with SPARQL JSON results; is it a query endpoint?"
        ) from None


def push(
    source: Graph | ox.Store | str | os.PathLike[str],
    endpoint: str,
    *,
    graph_iri: str | None = None,
    replace: bool = True,
    timeout: float = 120.0,
    verify: bool = False,
    query_endpoint: str | None = None,
) -> PushReport:
    """Upload ``source`` (an RDF file, an rdflib Graph or a pyoxigraph Store) to a Graph Store Protocol ``endpoint``.

    ``graph_iri`` names the target graph (default: the store's default graph); ``replace``
    chooses PUT (the graph becomes exactly ``source``) over POST (``source`` is added).
    ``timeout`` bounds the whole exchange. Only 200, 201 and 204 count as success; a redirect
    is an error (never followed: the body and credentials would go elsewhere). With ``verify``
    a COUNT query at ``query_endpoint`` (default: beside the store, see
    :func:`query_endpoint_for`) must find the triples sent (at least as many, with ``replace=False``).
    """
    if timeout <= 0:
        raise UsageError("the network time limit must be positive")
    clean, authorization = _split_credentials(endpoint)
    url = target_url(clean, graph_iri)
    body, media, triples = _payload(source)
    method = "PUT" if replace else "POST"
    size = body.stat().st_size if isinstance(body, Path) else len(body)
    headers = {"Content-Type": media, "Content-Length": str(size), "User-Agent": f"kg/{__version__}"}
    if authorization:
        headers["Authorization"] = authorization
    deadline = time.monotonic() + timeout
    if verify:
        query_endpoint = query_endpoint or query_endpoint_for(clean)
    stream: IO[bytes] | None = body.open("rb") if isinstance(body, Path) else None
    try:
        answer = _exchange(
            method,
            url,
            headers,
            stream if stream is not None else body,
            deadline,
            clean,
            timeout,
            _may_be_incomplete(url),
        )
    finally:
        if stream is not None:
            stream.close()
    if answer.status not in _CONFIRMED:
        raise _refusal(url, answer, "the upload")
    verified = None
    if verify:
        assert query_endpoint is not None
        same_origin = urlsplit(_split_credentials(query_endpoint)[0]).netloc == urlsplit(clean).netloc
        verified = _count(query_endpoint, graph_iri, authorization if same_origin else None, deadline, timeout)
        if verified < triples or (replace and verified != triples):
            raise EndpointError(
                f"the store confirmed the upload, but a count at {_split_credentials(query_endpoint)[0]} finds "
                f"{verified} triples in the graph where kg sent {triples}"
            )
    return PushReport(url=url, method=method, triples=triples, bytes=size, status=answer.status, verified=verified)
