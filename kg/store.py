"""A persistent, incremental graph: a pyoxigraph store on disk plus a manifest, in one folder.

    DIR/oxigraph/          the pyoxigraph (RocksDB) store
    DIR/manifest.sqlite    which file gave which articles, the files' content hashes and
                           the spellings of every entity each article used

Quads. Every article has a named graph ``kgr:article/<key>`` (the key is the hash of the
article's text, so an unchanged article keeps its graph) holding every triple kg makes from
the article except labels. The ``rdfs:label`` / ``skos:altLabel`` of the entities and the
``rdfs:label`` of the posts live in one more graph, ``kgr:labels``: a label is chosen from the
spellings of *all* articles, so it is recomputed from the counts in the manifest for every
entity an update touches, and every entity keeps exactly one ``rdfs:label``. The default graph
holds the union of all those graphs, each triple once: it is what queries read. (Oxigraph's
union of named graphs repeats a triple once per graph that states it, and an entity's type or
a relation is stated by every article that names it, so a query over that union counted facts
many times over.) The default graph is the graph ``kg build`` writes for the same files;
a triple leaves it when the last graph stating it goes.

Updates. Building a file again that the store holds with the same content (and the same kg
version) reads it, sees the hash and changes nothing. A changed file replaces all its
articles; ``kg remove`` takes them out; an article's graph goes when no file holds it any more.
The manifest is the commit record: article graphs are written first (each one atomically),
then the manifest in one SQLite transaction, then the labels. Opening the store for writing
puts right whatever an interruption left (graphs no file claims are dropped, files whose
graphs are missing are forgotten so the next build reads them again, stale labels are
recomputed), so Ctrl-C or a crash never leaves facts that contradict the manifest.

Reading. :func:`open_graph` gives the union as an rdflib Graph for any command that takes a
graph file; :func:`open_store` gives the store for fast SPARQL with pyoxigraph
(``query(q)``, on the default graph). pyoxigraph keeps numbers by value, so
decimals are turned back into kg's lexical form (see :mod:`kg.rdfio`) on the way out.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from .errors import KGError, UsageError, write_failure
from .ontology import DEFAULT_BASE_IRI
from .rdfio import (
    dataset_quads,
    fill_dataset,
    fill_graph,
    in_graph,
    prefix_map,
    read_triple_count,
    union_triples,
    write_rdf,
)
from .resolve import IRI_SCHEME

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Dataset, Graph
    from typing_extensions import Self  # typing.Self is 3.11+; only the type checker reads it

    from .builder import BuildResult
    from .parallel import FileFacts, Task

__all__ = ["GraphStore", "StoreError", "is_store", "open_graph", "open_store", "pipeline_fingerprint"]

MANIFEST = "manifest.sqlite"
LOCK = "writer.lock"
DATA = "oxigraph"
_T = TypeVar("_T")
SCHEMA_VERSION = "3"  # 2: the default graph holds the union; 3: the facts left out are recorded

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, source TEXT NOT NULL, digest TEXT NOT NULL,
                                 fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(path TEXT NOT NULL, position INTEGER NOT NULL, key TEXT NOT NULL,
                                    PRIMARY KEY(path, position));
CREATE INDEX IF NOT EXISTS articles_key ON articles(key);
CREATE TABLE IF NOT EXISTS names(path TEXT NOT NULL, key TEXT NOT NULL, ident TEXT NOT NULL,
                                 label TEXT NOT NULL, aliases TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS names_ident ON names(ident);
CREATE INDEX IF NOT EXISTS names_path ON names(path);
CREATE TABLE IF NOT EXISTS posts(path TEXT NOT NULL, key TEXT NOT NULL, post TEXT NOT NULL,
                                 org TEXT NOT NULL, title TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS posts_org ON posts(org);
CREATE INDEX IF NOT EXISTS posts_path ON posts(path);
CREATE INDEX IF NOT EXISTS posts_post ON posts(post);
CREATE TABLE IF NOT EXISTS dirty_names(ident TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS dirty_posts(post TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS loading(key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS dropped(path TEXT NOT NULL, fact TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS dropped_path ON dropped(path);
"""

# The modules whose code decides which triples a file gives.
_PIPELINE_MODULES = (
    "corpus.py", "segment.py", "lexicon.py", "resolve.py", "quantity.py", "pipeline.py", "model.py",
    "graph.py", "ontology.py", "_ox.py", "parallel.py",
)  # fmt: skip


class StoreError(KGError):
    """A store folder that cannot be opened, or that belongs to another base IRI."""


class _NeedsRecovery(StoreError):
    """A store a reader cannot read as it is: the last update was cut short (see :func:`open_store`)."""


def pipeline_fingerprint() -> str:
    """A hash of the code that turns text into triples; a file built by other code is built again."""
    from importlib.metadata import version  # not ``import jieba``: that takes a third of a second

    root = Path(__file__).resolve().parent
    digest = hashlib.sha1(f"jieba {version('jieba')}".encode())
    for path in sorted([*(root / name for name in _PIPELINE_MODULES), *(root / "extract").glob("*.py")]):
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(path: str | os.PathLike[str]) -> str:
    """The manifest key of an input file: its absolute path."""
    return os.path.abspath(os.fspath(path))


def _storable(name: str) -> bool:
    """Whether a path can be a manifest key (SQLite text is UTF-8; a name with undecodable
    bytes arrives with surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _writes(method: Callable[..., _T]) -> Callable[..., _T]:
    """Turn a write of the store that fails (disk full, a file size limit, no permission) into
    one :class:`StoreError` naming the store, instead of a RocksDB or SQLite traceback."""

    @functools.wraps(method)
    def writing(self: GraphStore, *args: Any, **kwargs: Any) -> _T:
        try:
            return method(self, *args, **kwargs)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(
                f"{self.directory}: cannot write to the store ({write_failure(error)}); it keeps the files merged "
                "before, and the next build puts right what this one left half done"
            ) from None

    return writing


class GraphStore:
    """A folder holding a persistent pyoxigraph store and its manifest (see the module doc)."""

    def __init__(
        self, directory: str | os.PathLike[str], *, base_iri: str | None = None, read_only: bool = False
    ) -> None:
        self._lock: IO[bytes] | None = None
        self._flushed = True  # nothing written since the last commit (or since opening)
        try:
            self._open(directory, base_iri, read_only)
        except BaseException:
            if getattr(self, "_db", None) is not None:
                self._db.close()
            if self._lock is not None:
                self._lock.close()
            raise

    def _open(self, directory: str | os.PathLike[str], base_iri: str | None, read_only: bool) -> None:
        """Open (or make) the manifest, take the writer's lock, open the Oxigraph store, recover."""
        from .graph import GraphBuilder

        self.directory = Path(directory)
        self.read_only = read_only
        manifest = self.directory / MANIFEST
        if read_only:
            if not manifest.exists():
                raise StoreError(
                    f"{self.directory}: not a kg store (no {MANIFEST}); make one with kg build --store {self.directory}"
                )
            self._db = sqlite3.connect(f"file:{manifest}?mode=ro", uri=True)
        else:
            if self.directory.exists() and not self.directory.is_dir():
                raise StoreError(f"{self.directory}: is a file, not a folder; give a new or empty folder for the store")
            if self.directory.exists() and any(self.directory.iterdir()) and not manifest.exists():
                raise StoreError(
                    f"{self.directory}: the folder is not empty and is not a kg store; give a new or empty folder"
                )
            existing = manifest.exists()
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(manifest)
                self._lock = _lock(self.directory)
                self._db.executescript(_SCHEMA)
            except (OSError, sqlite3.Error) as error:
                if existing:
                    raise StoreError(
                        f"{self.directory}: cannot write to the store ({write_failure(error)}); a build needs write access "
                        f"to the folder and its files, kg query, stats, validate and viz only read"
                    ) from None
                raise StoreError(f"{self.directory}: cannot make the store here ({write_failure(error)})") from None
        try:
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
        except sqlite3.OperationalError as error:  # read-only: a hot journal that only a writer may roll back
            raise _NeedsRecovery(f"{self.directory}: the last update was cut short ({error})") from None
        stored = meta.get("base_iri")
        if stored and base_iri and stored != base_iri:
            self._db.close()
            raise UsageError(
                f"{self.directory} holds IRIs under {stored}; build it with --base-iri {stored} or use another store"
            )
        scheme = meta.get("iri_scheme", "1")
        if stored and scheme != str(IRI_SCHEME):
            self._db.close()
            raise StoreError(
                f"{self.directory}: built with IRI scheme {scheme} (names percent-encoded); this kg writes scheme "
                f"{IRI_SCHEME} (names readable, see README); build it again into a new folder (kg build PATH ... --store NEWDIR)"
            )
        self.base_iri = stored or base_iri or DEFAULT_BASE_IRI
        try:
            self.iris = GraphBuilder(base_iri=self.base_iri)
        except UsageError:
            self._db.close()
            raise
        if not read_only and not stored:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                    [("base_iri", self.base_iri), ("schema", SCHEMA_VERSION), ("iri_scheme", str(IRI_SCHEME))],
                )
        self.labels_graph = ox.NamedNode(self.base_iri + "labels")
        try:
            data = str(self.directory / DATA)
            self.oxigraph = ox.Store.read_only(data) if read_only else ox.Store(data)
        except OSError as error:
            self._db.close()
            if read_only:
                raise StoreError(
                    f"{self.directory}: cannot open the store ({error}); is another kg writing to it?"
                ) from None
            # This process holds the writer's lock: another kg is not the cause.
            raise StoreError(f"{self.directory}: cannot open the store for writing ({write_failure(error)})") from None
        if stored and meta.get("schema", "1") != SCHEMA_VERSION:
            self._upgrade(meta.get("schema", "1"))
        self._fingerprint: str | None = None
        self._worker: Any = None
        self.batch = 200_000  # triples of new files written in one bulk load
        self._pending: list[tuple[str, list[str], FileFacts]] = []
        self._pending_paths: set[str] = set()
        self._pending_keys: set[str] = set()  # the articles of the pending files
        self._pending_triples = 0
        if not read_only:
            self.recover()

    def _upgrade(self, schema: str) -> None:
        """Bring a store made by an older kg to this layout: schema 1 had no union in the default
        graph, schema 2 no record of the facts its files left out (so every file is read again
        by the next build, which records them). A schema 2 store is read as it is."""
        if schema not in ("1", "2") or (self.read_only and schema == "1"):
            self._db.close()
            del self.oxigraph
            if schema == "1":
                raise StoreError(
                    f"{self.directory}: made by an older kg; run kg build --store {self.directory} once to bring it up to date"
                )
            raise StoreError(f"{self.directory}: made by a newer kg (store schema {schema}); read it with that version")
        if self.read_only:
            return
        if schema == "1":
            self._flushed = False
            self.oxigraph.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        with self._db:
            self._db.execute("UPDATE files SET digest = ''")
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    # Context and lifetime ------------------------------------------------------------------
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_writes
    def close(self) -> None:
        """Write everything out and release the folder (released also when writing fails)."""
        if getattr(self, "_db", None) is None:
            return
        try:
            if not self.read_only:
                if self._pending:
                    self.commit()
                if not self._flushed:
                    # Not again after a commit: RocksDB may be compacting the files that commit
                    # wrote, and a compaction that fails (a full disk) would fail this flush
                    # although nothing was lost, after graph.ttl was written from the store.
                    self.oxigraph.flush()
        finally:
            self.release()

    def release(self) -> None:
        """Release the folder without writing what is pending (after a failed write: the
        journal lets the next build put right what was left half done)."""
        if getattr(self, "_db", None) is None:
            return
        self._db.close()
        self._db = None  # type: ignore[assignment]
        del self.oxigraph
        if self._lock is not None:
            self._lock.close()  # releases the lock
            self._lock = None

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = pipeline_fingerprint()
        return self._fingerprint

    # What is in it -------------------------------------------------------------------------
    def needs_recovery(self) -> bool:
        """Whether an update is under way or was cut short (a batch half loaded, labels not yet
        recomputed): readers would see facts without labels or a partial union."""
        return any(
            self._db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
            for table in ("loading", "dirty_names", "dirty_posts")
        )

    def files(self) -> dict[str, str]:
        """Input files held: absolute path → content hash."""
        return dict(self._db.execute("SELECT path, digest FROM files"))

    @_writes
    def record_output(self, path: str | os.PathLike[str], kind: str) -> None:
        """Remember a file written from the store (``kind``: a graph format, or ``html``), so that
        ``kg remove`` can bring it up to date instead of leaving it to show removed facts."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"output {_key(path)}", kind))

    def outputs(self) -> dict[str, str]:
        """Files written from the store that still exist: path → graph format or ``html``."""
        rows = self._db.execute("SELECT key, value FROM meta WHERE key LIKE 'output %'")
        return {key[len("output ") :]: kind for key, kind in rows if os.path.isfile(key[len("output ") :])}

    def dropped(self) -> list[tuple[str, str, str]]:
        """(file as given, fact, reason) of every fact the store's files gave that the shapes
        would reject and that was left out, unchanged files' included, in the order they came."""
        rows = self._db.execute(
            "SELECT files.source, dropped.fact, dropped.reason FROM dropped JOIN files USING (path) "
            "ORDER BY files.source, dropped.rowid"
        )
        return [(source, fact, reason) for source, fact, reason in rows]

    def article_keys(self) -> set[str]:
        return {key for (key,) in self._db.execute("SELECT DISTINCT key FROM articles")}

    def triple_count(self) -> int:
        """Distinct triples in the union of all graphs (the default graph)."""
        return read_triple_count(self.oxigraph, union=False)

    def __len__(self) -> int:
        """Quads in the article graphs and ``kgr:labels`` (a triple stated by two articles counts twice)."""
        return len(self.oxigraph) - self.triple_count()

    # Building ------------------------------------------------------------------------------
    def changed_tasks(
        self, files: Iterable[str | os.PathLike[str]], result: BuildResult | None = None
    ) -> Iterator[Task]:
        """Read each file and yield a task for those the store does not hold as they are now."""
        from .parallel import Task, read_task

        known = {
            path: (source, digest, fingerprint)
            for path, source, digest, fingerprint in self._db.execute(
                "SELECT path, source, digest, fingerprint FROM files"
            )
        }
        for path in files:
            name = os.fspath(path)
            if not _storable(name):
                yield Task(
                    name, problem="its name is not valid UTF-8, which the store's manifest needs; rename the file"
                )
                continue
            task = read_task(name)
            if task.data is None:
                yield task
                continue
            held = known.get(_key(name))
            if held == (name, hashlib.sha1(task.data).hexdigest(), self.fingerprint):
                if result is not None:
                    result.unchanged += 1
                continue
            yield task

    @_writes
    def put(self, facts: FileFacts) -> None:
        """Replace everything the store holds from ``facts.path`` by the articles in ``facts``.

        Files are written in batches: one SPARQL update drops the graphs they replace, one bulk
        load writes all their articles, one SQLite transaction records them. A file that shares
        an article with another file the store holds takes the slow, careful way.
        """
        path = _key(facts.path)
        old_keys = [key for (key,) in self._db.execute("SELECT key FROM articles WHERE path = ?", (path,))]
        keys = set(old_keys) | {article.key for article in facts.articles}
        if path in self._pending_paths or keys & self._pending_keys or self._shared(keys, path):
            self.flush()
            self._replace(path, facts)
            return
        self._pending.append((path, old_keys, facts))
        self._pending_paths.add(path)
        self._pending_keys.update(article.key for article in facts.articles)
        self._pending_triples += sum(article.triples for article in facts.articles)
        if self._pending_triples >= self.batch:
            self.flush()

    def _shared(self, keys: set[str], path: str) -> bool:
        """Whether another file in the manifest holds one of the articles ``keys``."""
        if not keys:
            return False
        marks = ",".join("?" * len(keys))
        query = f"SELECT 1 FROM articles WHERE key IN ({marks}) AND path != ? LIMIT 1"
        return self._db.execute(query, [*keys, path]).fetchone() is not None

    @_writes
    def flush(self) -> None:
        """Write the batch: drop the graphs it replaces, load its articles, then record it.

        Oxigraph's bulk load writes 3× faster than a transaction but is not atomic, so the
        article keys of the batch are journalled first (table ``loading``): if the process dies
        during the load, :meth:`recover` drops those graphs and forgets their files, which the
        next build then reads again.
        """
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self._pending_paths.clear()
        self._pending_keys.clear()
        self._pending_triples = 0
        replaced = {key for _, old_keys, facts in pending for key in (*old_keys, *(a.key for a in facts.articles))}
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO loading VALUES (?)", [(key,) for key in sorted(replaced)])
        self._drop_graphs(str(self.iris.article_iri(key)) for key in sorted(replaced))
        parts = []
        loaded: set[str] = set()
        for _, _, facts in pending:
            for article in facts.articles:
                if article.key in loaded:  # the same text twice in a file: the first copy stands
                    continue
                loaded.add(article.key)
                text = article.article_nt + article.entity_nt
                parts.append(in_graph(text, str(self.iris.article_iri(article.key))))
                parts.append(text)  # and into the union
        self._flushed = False
        self.oxigraph.bulk_load("".join(parts), format=ox.RdfFormat.N_QUADS, lenient=True)
        with self._db:
            for path, _, facts in pending:
                self._forget(path)
                self._record(path, facts)
            self._db.execute("DELETE FROM loading")

    def _replace(self, path: str, facts: FileFacts) -> None:
        old_keys = [key for (key,) in self._db.execute("SELECT key FROM articles WHERE path = ?", (path,))]
        done: set[str] = set()
        for article in facts.articles:
            if article.key in done:  # the same text twice in the file: the first copy stands
                continue
            done.add(article.key)
            graph = ox.NamedNode(str(self.iris.article_iri(article.key)))
            others = self._others(article.key, path)
            if not others or article.key in old_keys:
                # A graph of its own, or one this file's old version shares: write it anew.
                self._drop_graphs([graph.value])
                self._load(article)
                for other in others:
                    self._add_source(other, article.key)
            else:
                # The same article in another file too (a reprint): that file's copy stands and
                # this file is one more source.
                from .graph import source_file_nt

                self._add_nt(source_file_nt(graph.value, article.source), graph.value)
        with self._db:
            self._forget(path)
            self._record(path, facts)
        self._drop_unclaimed(set(old_keys) - {a.key for a in facts.articles})

    def _record(self, path: str, facts: FileFacts) -> None:
        """The manifest rows of one file (inside the caller's transaction); its labels become stale."""
        self._db.execute("INSERT INTO files VALUES (?, ?, ?, ?)", (path, facts.path, facts.digest, self.fingerprint))
        self._db.executemany(
            "INSERT INTO dropped VALUES (?, ?, ?)", [(path, *fact) for a in facts.articles for fact in a.dropped]
        )
        self._db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?)", [(path, i, a.key) for i, a in enumerate(facts.articles)]
        )
        self._db.executemany(
            "INSERT INTO names VALUES (?, ?, ?, ?, ?)",
            [(path, a.key, ident, label, json.dumps(list(aliases), ensure_ascii=False))
             for a in facts.articles for ident, label, aliases in a.names],
        )  # fmt: skip
        self._db.executemany(
            "INSERT INTO posts VALUES (?, ?, ?, ?, ?)",
            [(path, a.key, post, org, title) for a in facts.articles for post, org, title in a.posts],
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO dirty_names VALUES (?)", [(i,) for a in facts.articles for i, _, _ in a.names]
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO dirty_posts VALUES (?)", [(p,) for a in facts.articles for p, _, _ in a.posts]
        )

    def _load(self, article: Any) -> None:
        """Add one article's triples to its graph, in one transaction."""
        self._add_nt(article.article_nt + article.entity_nt, str(self.iris.article_iri(article.key)))

    def _add_nt(self, nt: str, graph: str) -> None:
        """Add N-Triples to the named graph ``graph`` and to the union, in one transaction."""
        self._flushed = False
        self.oxigraph.load(in_graph(nt, graph) + nt, format=ox.RdfFormat.N_QUADS, lenient=True)

    def _drop_graphs(self, graphs: Iterable[str]) -> None:
        """Remove named graphs, and from the union every triple no other graph states, in one transaction."""
        present = [graph for graph in graphs if self.oxigraph.contains_named_graph(ox.NamedNode(graph))]
        if present:
            self._flushed = False
            self.oxigraph.update(" ;\n".join(
                f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{graph}>) }} }} ;\nDROP SILENT GRAPH <{graph}>"
                for graph in present
            ))  # fmt: skip

    def _others(self, key: str, path: str) -> list[str]:
        """The other files that hold the article ``key``."""
        return [
            p
            for (p,) in self._db.execute("SELECT DISTINCT path FROM articles WHERE key = ? AND path != ?", (key, path))
        ]

    def _load_from(self, path: str, key: str) -> None:
        """Read ``path`` again and add its copy of article ``key`` (a rare case: one text in two files)."""
        from .parallel import _Worker

        row = self._db.execute("SELECT source, digest FROM files WHERE path = ?", (path,)).fetchone()
        try:
            data = Path(path).read_bytes()
        except OSError:
            data = b""
        if row is None or hashlib.sha1(data).hexdigest() != row[1]:
            with self._db:  # changed or gone since: read it again on the next build
                self._db.execute("UPDATE files SET digest = '' WHERE path = ?", (path,))
            return
        if self._worker is None:
            self._worker = _Worker(self.base_iri)
        from .parallel import Task

        for article in self._worker.run(Task(row[0], data)).articles:
            if article.key == key:
                self._load(article)

    def _add_source(self, path: str, key: str) -> None:
        """Name ``path`` as one more file article ``key`` was read from."""
        from .graph import source_file_nt

        row = self._db.execute("SELECT source FROM files WHERE path = ?", (path,)).fetchone()
        if row is not None:
            graph = str(self.iris.article_iri(key))
            self._add_nt(source_file_nt(graph, row[0]), graph)

    def _forget(self, path: str) -> None:
        """Delete the manifest rows of one file (inside the caller's transaction); mark its labels stale."""
        self._db.execute("INSERT OR IGNORE INTO dirty_names SELECT ident FROM names WHERE path = ?", (path,))
        self._db.execute("INSERT OR IGNORE INTO dirty_posts SELECT post FROM posts WHERE path = ?", (path,))
        for table in ("files", "articles", "names", "posts", "dropped"):
            self._db.execute(f"DELETE FROM {table} WHERE path = ?", (path,))

    def _drop_unclaimed(self, keys: Iterable[str]) -> None:
        for key in keys:
            if not self._db.execute("SELECT 1 FROM articles WHERE key = ? LIMIT 1", (key,)).fetchone():
                self._drop_graphs([str(self.iris.article_iri(key))])

    @_writes
    def remove(self, path: str | os.PathLike[str]) -> list[str]:
        """Take out the facts of a file (or of every file under a folder); return the files removed."""
        self.flush()
        target = _key(path)
        if not _storable(target):
            return []  # the store never holds a file whose name is not UTF-8
        rows = self._db.execute("SELECT path FROM files WHERE path = ? OR path LIKE ? ESCAPE '\\'",
                                (target, _like_prefix(target.rstrip(os.sep) + os.sep))).fetchall()  # fmt: skip
        removed = [row[0] for row in rows]
        for name in removed:
            keys = [key for (key,) in self._db.execute("SELECT key FROM articles WHERE path = ?", (name,))]
            with self._db:
                self._forget(name)
            self._drop_unclaimed(keys)
            for key in keys:
                others = self._others(key, name)
                if others:  # the article is in other files too: rebuild its graph from the first
                    self._drop_graphs([str(self.iris.article_iri(key))])
                    self._load_from(others[0], key)
                    for other in others[1:]:
                        self._add_source(other, key)
        return removed

    @_writes
    def commit(self) -> None:
        """Bring the labels of every touched entity and post up to date, and flush to disk."""
        if self._db.in_transaction:
            self._db.rollback()
        self.flush()
        self._refresh_labels()
        self.oxigraph.flush()
        self._flushed = True

    @_writes
    def recover(self) -> None:
        """Put right what an interrupted update left: unclaimed graphs, missing graphs, stale labels."""
        if self._db.in_transaction:
            self._db.rollback()
        interrupted = [key for (key,) in self._db.execute("SELECT key FROM loading")]
        if interrupted:
            # A bulk load that did not finish: its graphs may be partial, whoever claims them.
            self._drop_graphs(str(self.iris.article_iri(key)) for key in interrupted)
            # What the cut load wrote into the union and no graph states any more.
            self._flushed = False
            self.oxigraph.update("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
            marks = ",".join("?" * len(interrupted))
            paths = [
                p
                for (p,) in self._db.execute(f"SELECT DISTINCT path FROM articles WHERE key IN ({marks})", interrupted)
            ]
            with self._db:
                for path in paths:
                    self._forget(path)
                self._db.execute("DELETE FROM loading")
        claimed = {str(self.iris.article_iri(key)): key for key in self.article_keys()}
        present = {graph.value for graph in self.oxigraph.named_graphs() if isinstance(graph, ox.NamedNode)}
        present.discard(self.labels_graph.value)
        self._drop_graphs(sorted(present - claimed.keys()))
        missing = [claimed[graph] for graph in claimed.keys() - present]
        if missing:
            marks = ",".join("?" * len(missing))
            paths = [
                p for (p,) in self._db.execute(f"SELECT DISTINCT path FROM articles WHERE key IN ({marks})", missing)
            ]
            with self._db:
                for path in paths:
                    self._forget(path)
        self._refresh_labels()

    # Labels --------------------------------------------------------------------------------
    def _refresh_labels(self, batch: int = 500) -> None:
        """Rewrite the ``kgr:labels`` triples of the entities and posts marked stale."""
        from .graph import LabelIndex

        stale = [ident for (ident,) in self._db.execute("SELECT ident FROM dirty_names")]
        stale_posts = {post for (post,) in self._db.execute("SELECT post FROM dirty_posts")}
        if not stale and not stale_posts:
            return
        graph = self.labels_graph
        for start in range(0, len(stale), batch):
            chunk = stale[start : start + batch]
            marks = ",".join("?" * len(chunk))
            labels = LabelIndex()
            rows = self._db.execute(f"SELECT ident, label, aliases FROM names WHERE ident IN ({marks})", chunk)
            labels.add(((ident, label, json.loads(aliases)) for ident, label, aliases in rows), ())
            self._clear_labels([str(self.iris.entity_iri(ident)) for ident in chunk])
            self._add_nt(self.iris.label_nt(chunk, (), labels), graph.value)
            stale_posts.update(
                post for (post,) in self._db.execute(f"SELECT DISTINCT post FROM posts WHERE org IN ({marks})", chunk)
            )
        posts = sorted(stale_posts)
        for start in range(0, len(posts), batch):
            chunk = posts[start : start + batch]
            marks = ",".join("?" * len(chunk))
            held = self._db.execute(
                f"SELECT DISTINCT post, org, title FROM posts WHERE post IN ({marks})", chunk
            ).fetchall()
            orgs = sorted({org for _, org, _ in held})
            labels = LabelIndex()
            for org_start in range(0, len(orgs), batch):
                org_chunk = orgs[org_start : org_start + batch]
                org_marks = ",".join("?" * len(org_chunk))
                rows = self._db.execute(
                    f"SELECT ident, label, aliases FROM names WHERE ident IN ({org_marks})", org_chunk
                )
                labels.add(((ident, label, json.loads(aliases)) for ident, label, aliases in rows), ())
            self._clear_labels(chunk)
            self._add_nt(self.iris.label_nt((), held, labels), graph.value)
        with self._db:
            self._db.execute("DELETE FROM dirty_names")
            self._db.execute("DELETE FROM dirty_posts")

    def _clear_labels(self, subjects: list[str]) -> None:
        """Delete the label triples of ``subjects`` from ``kgr:labels``, in one transaction."""
        if subjects:
            values = " ".join(f"<{subject}>" for subject in subjects)
            graph = self.labels_graph.value
            self._flushed = False
            self.oxigraph.update(
                f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ VALUES ?s {{ {values} }} ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{graph}>) }} }} ;\n"
                f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ VALUES ?s {{ {values} }} ?s ?p ?o }} }}"
            )

    # Output --------------------------------------------------------------------------------
    def triples(self) -> Iterator[ox.Triple]:
        """The union of all graphs (the default graph), each triple once, decimals in kg's form."""
        return union_triples(self.oxigraph, named=False)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the article graphs and ``kgr:labels`` (not the union), decimals in kg's form."""
        return dataset_quads(self.oxigraph, list(self.oxigraph.named_graphs()))

    def graph(self) -> Graph:
        """The union of all graphs as an rdflib Graph."""
        from rdflib import Graph

        from .graph import bind_prefixes

        graph = Graph()
        bind_prefixes(graph, self.base_iri)
        return fill_graph(graph, self.triples())

    def dataset(self) -> Dataset:
        """The article graphs and the labels graph as an rdflib Dataset."""
        from rdflib import Dataset

        from .graph import bind_prefixes

        dataset = Dataset()
        bind_prefixes(dataset, self.base_iri)
        return fill_dataset(dataset, self.quads())

    def write(self, destination: str | os.PathLike[str] | IO[bytes], format_name: str = "turtle") -> None:
        """Write the union (turtle, nt, json-ld) or the graphs (trig, nquads)."""
        write_rdf(self, destination, format_name, prefix_map(self.base_iri))


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def is_store(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder made by ``kg build --store`` (it holds the manifest)."""
    return (Path(path) / MANIFEST).is_file()


def _lock(directory: Path) -> IO[bytes]:
    """Hold the writer's lock of a store (released when the file is closed, also by a crash).

    A second writer is refused at once: two builds interleaving their batches and label
    updates would leave each other's journal half done.
    """
    import fcntl

    handle = open(directory / LOCK, "a+b")  # noqa: SIM115 (held open while the store is)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreError(f"{directory}: another kg is writing to this store; run this once it has ended") from None
    return handle


def _writer_active(directory: Path) -> bool:
    """Whether a kg holds the writer's lock of the store in ``directory`` (see :func:`_lock`)."""
    import fcntl

    try:
        handle = open(directory / LOCK, "rb")  # noqa: SIM115 (closed below; read access is enough to test a lock)
    except OSError:
        return False  # no lock file: no writer has opened the store yet
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def open_store(store_dir: str | os.PathLike[str], *, read_only: bool = True) -> GraphStore:
    """Open the store in ``store_dir`` (read-only by default: for queries while no build runs).

    A store whose last update was cut short (kill -9, power loss) is put right first, as the
    next build would (a reader would see its facts without labels); while another kg writes to
    it, reading is refused with a message saying so, not answered from half an update (nor
    from files the writer is replacing: Oxigraph leaves a read-only open beside a writer undefined).
    """
    if not read_only:
        return GraphStore(store_dir)
    if _writer_active(Path(store_dir)):
        # Oxigraph: opening read-only while another process writes is undefined (it failed
        # with "Corruption: … No such file" once the writer had compacted its files).
        raise StoreError(f"{store_dir}: a build is writing to this store; read it once the build has ended")
    try:
        store = GraphStore(store_dir, read_only=True)
    except _NeedsRecovery:
        pass
    else:
        if not store.needs_recovery():
            return store
        store.close()
    try:
        GraphStore(store_dir).close()  # opening for writing recovers
    except StoreError as error:
        if "another kg is writing" in str(error):
            raise StoreError(
                f"{store_dir}: a build is writing to this store; read it once the build has ended"
            ) from None
        raise StoreError(
            f"{store_dir}: the last update was cut short, and reading the store needs it put right first, "
            f"which needs write access ({error}); run kg build --store {store_dir} where it may write"
        ) from None
    return GraphStore(store_dir, read_only=True)


def open_graph(store_dir: str | os.PathLike[str]) -> Graph:
    """The union of every graph of the store in ``store_dir``, as an in-memory rdflib Graph.

    For commands that take a graph file (query, viz, stats, validate, export): the same triples
    ``kg build`` would write for the files in the store, one ``rdfs:label`` per entity.
    """
    with open_store(store_dir) as store:
        return store.graph()
