"""``kg push``: load a graph into a triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

    >>> from kg.push import push
    >>> push("out/graph.ttl", "http://localhost:7878/store")        # doctest: +SKIP
    PushReport(url='http://localhost:7878/store?default', method='PUT', triples=1565, ...)

The graph goes to ``ENDPOINT?default`` or ``ENDPOINT?graph=IRI`` with ``PUT`` (replace the
graph) or ``POST`` (add to it). Turtle and N-Triples files are checked with Oxigraph's parser
and sent as they are; other formats (JSON-LD, TriG, N-Quads, RDF/XML) are sent as N-Triples,
named graphs merged. ``user:password@`` in the endpoint URL becomes HTTP basic authentication.
Anything but a 2xx answer raises :class:`~kg.errors.EndpointError`; so does a store that cannot
be reached.
"""

from __future__ import annotations

import base64
import http.client
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, quote, unquote, urlsplit, urlunsplit

from rdflib import Graph

from . import __version__
from .errors import EndpointError, UsageError
from .query import check_readable, oxigraph_format, oxigraph_parse_error

__all__ = ["PushReport", "push", "target_url"]

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


def _payload(source: Graph | str | os.PathLike[str]) -> tuple[bytes | Path, str, int]:
    """(bytes or the file to stream, content type, number of triples) for ``source``."""
    if isinstance(source, Graph):
        data = source.serialize(format="nt", encoding="utf-8")
        return data, "application/n-triples", len(source)
    import pyoxigraph as ox

    path = check_readable(source)
    fmt = oxigraph_format(path)
    base = path.resolve().as_uri()
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
        try:
            count = sum(1 for _ in ox.parse(path=str(path), format=fmt, base_iri=base))
        except SyntaxError as error:
            raise oxigraph_parse_error(error, str(path), fmt) from None
        media = "text/turtle" if fmt == ox.RdfFormat.TURTLE else "application/n-triples"
        return path, media, count
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt, base_iri=base)
    except SyntaxError as error:
        raise oxigraph_parse_error(error, str(path), fmt) from None
    triples = {(quad.subject, quad.predicate, quad.object) for quad in store}
    data = ox.serialize((ox.Triple(*triple) for triple in triples), format=ox.RdfFormat.N_TRIPLES)
    return data, "application/n-triples", len(triples)


def push(
    source: Graph | str | os.PathLike[str],
    endpoint: str,
    *,
    graph_iri: str | None = None,
    replace: bool = True,
    timeout: float = 120.0,
) -> PushReport:
    """Upload ``source`` (an RDF file or an rdflib Graph) to a Graph Store Protocol ``endpoint``.

    ``graph_iri`` names the target graph (default: the store's default graph); ``replace``
    chooses PUT (the graph becomes exactly ``source``) over POST (``source`` is added).
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
    stream: IO[bytes] | None = body.open("rb") if isinstance(body, Path) else None
    data: Any = stream if stream is not None else body
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            response.read()
    except urllib.error.HTTPError as error:
        with error:  # the error holds the connection
            detail = " ".join(error.read(400).decode("utf-8", "replace").split())
        message = f"{url} refused the upload: HTTP {error.code} {error.reason}"
        if detail:
            message += f" ({detail})"
        if error.code in _STATUS_HINTS:
            message += f"; {_STATUS_HINTS[error.code]}"
        raise EndpointError(message) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, (BrokenPipeError, ConnectionResetError)):
            raise EndpointError(
                f"{clean} closed the connection during the upload: it refused the data "
                "(read-only, not a Graph Store endpoint, or a size limit)"
            ) from None
        raise EndpointError(f"cannot reach {clean}: {error.reason}; is the store running?") from None
    except TimeoutError:
        raise EndpointError(f"{clean} did not answer within {timeout:g} s") from None
    except (http.client.HTTPException, ConnectionError, OSError) as error:
        raise EndpointError(f"the upload to {clean} failed: {error}") from None
    finally:
        if stream is not None:
            stream.close()
    if not 200 <= status < 300:
        raise EndpointError(f"{url} answered HTTP {status}; the upload is not confirmed")
    return PushReport(url=url, method=method, triples=triples, bytes=size, status=status)
