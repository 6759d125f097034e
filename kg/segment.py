"""The Segmenter: jieba's algorithm and dictionary, configured with the domain lexicon.

jieba (precise mode, HMM on) is the reference. When the Rust implementation of the same
algorithm and dictionary, ``rjieba``, is installed (``pip install 'kg[fast]'``), it finds the
best path through the dictionary, about 6× faster on the short windows kg cuts (its dictionary
also loads in a fraction of jieba's time), and jieba's own HMM step (``jieba.finalseg``, which
needs no dictionary) cuts the runs of unknown characters, exactly as jieba's ``__cut_DAG`` does:
jieba-rs's HMM breaks exact ties otherwise than jieba's (公科科科区) and keeps ``2021-12-29``
whole. Two more differences are put right:

- jieba adds a user word's whole frequency to the dictionary total even when the word is there
  already, and counts a word listed twice twice; jieba-rs does not. A padding word made of
  private-use characters (which never reach the segmenter: ``kg.corpus.normalize`` drops
  them) makes the totals equal, so ties between paths are broken the same way;
- jieba cuts text into blocks of Han, Latin letters, digits and ``+#&._%-`` before segmenting,
  and jieba-rs's blocks are wider (rare CJK extension characters): the same blocks are cut here.

The tests compare both on every test article, on thousands of windows and on each of these
cases; 60,000 random strings gave no difference.

``KG_SEGMENTER=jieba`` (or ``Segmenter(backend="jieba")``) forces the reference. No global
jieba state is touched and nothing is loaded at import time: the dictionary is read the first
time a Segmenter cuts text, and the domain words go to that instance only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import marshal
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from . import lexicon
from .errors import UsageError

__all__ = ["Segmenter", "default_segmenter", "BACKENDS"]

BACKENDS = ("auto", "jieba", "rjieba")

#: One-character prepositions that never begin a name but that jieba's HMM joins to the unknown
#: word after them.
_GLUED_PREPOSITIONS = frozenset("在从把被对由让给为")
_WORDLIKE = re.compile(rf"[{lexicon.HAN}A-Za-z0-9]")
#: The frequency every domain word is added with: high enough to win over the words inside it.
_DOMAIN_FREQ = 200_000
#: jieba 0.42.1's blocks (``re_han_default``, ``re_skip_default``) and its HMM step's split of
#: Latin and digit runs (``finalseg.re_skip``).
_BLOCK = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")
_SPACE = re.compile(r"(\r\n|\s)")
_ASCII_RUN = re.compile(r"[a-zA-Z0-9]+")
_PADDING_WORD = "\ue000\ue001"
_CACHE_VERSION = 1


def _cache_folder() -> Path:
    """Where kg keeps what it computes once per installation: ``$XDG_CACHE_HOME/kg`` or ``~/.cache/kg``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg"


def _domain_words() -> Iterable[tuple[str, str]]:
    """``(word, part of speech)`` pairs added to the segmenter's dictionary."""
    yield from ((w, "n") for w in lexicon.PARK_SUFFIXES)
    yield from ((s, "n") for s in lexicon.COMPANY_SUFFIXES if s.isalpha())
    yield from ((w, "n") for w in lexicon.POST_TITLES)
    yield from ((w, "nt") for w in lexicon.BODY_HEADS)
    yield from ((w, "ns") for w in lexicon.place_index())
    yield from (
        (w, "n") for w in ("规上", "规模以上", "固定资产投资", "营业收入", "工业产值", "税收收入", "进出口总额")
    )
    yield from ((w, "v") for w in ("同比增长", "同比下降"))
    yield from (
        (w, "n")
        for w in (
            "物联网",
            "人工智能",
            "大数据",
            "区块链",
            "云计算",
            "集成电路",
            "生物医药",
            "新能源",
            "元宇宙",
            "智能制造",
        )
    )
    yield from ((w, "m") for w in ("百分点", "以上", "左右"))


def _jieba_dictionary() -> Path:
    """jieba's ``dict.txt`` (found without importing jieba, which loads its HMM tables)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("jieba is not installed; install kg with pip (it depends on jieba)")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def _resolve_backend(backend: str | None) -> str:
    name = backend or os.environ.get("KG_SEGMENTER", "auto")
    if name not in BACKENDS:
        raise UsageError(f"segmenter {name!r} is unknown (KG_SEGMENTER); use one of {', '.join(BACKENDS)}")
    rjieba_installed = importlib.util.find_spec("rjieba") is not None
    if name == "rjieba" and not rjieba_installed:
        raise UsageError("segmenter 'rjieba' is asked for but not installed; pip install 'kg[fast]' or use jieba")
    if name == "auto":
        return "rjieba" if rjieba_installed else "jieba"
    return name


class Segmenter:
    """Cuts Chinese text into words, using the domain lexicon; tags words from jieba's dictionary."""

    def __init__(self, extra_words: Iterable[str] = (), *, backend: str | None = None) -> None:
        self._extra = tuple(extra_words)
        self.backend = _resolve_backend(backend)
        self._cut: Callable[[str], list[str]] | None = None
        self._tag_table: dict[str, str] | None = None
        self._gap = 0
        # Windows before names repeat across articles (the same park, the same company).
        self._tag_cache: dict[str, tuple[tuple[str, str], ...]] = {}
        self._lock = threading.RLock()

    def _words(self) -> list[tuple[str, str]]:
        return [*_domain_words(), *((w, "n") for w in self._extra)]

    def load(self) -> None:
        """Load the dictionary and the tag table now (a worker does this before its first task)."""
        self._cutter()
        self.tag_table  # noqa: B018

    def _cutter(self) -> Callable[[str], list[str]]:
        if self._cut is None:
            with self._lock:
                if self._cut is None:
                    self._cut = self._load_rjieba() if self.backend == "rjieba" else self._load_jieba()
        return self._cut

    def _load_jieba(self) -> Callable[[str], list[str]]:
        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word, tag in self._words():
            tokenizer.add_word(word, freq=_DOMAIN_FREQ, tag=tag)
        return lambda text: tokenizer.lcut(text, HMM=True)

    def _load_rjieba(self) -> Callable[[str], list[str]]:
        import rjieba

        cutter = rjieba.Jieba()
        words = self._words()
        for word, tag in words:
            cutter.add_word(word, _DOMAIN_FREQ, tag)
        self.tag_table  # noqa: B018 (reads the dictionary, which gives the gap)
        cutter.add_word(_PADDING_WORD, self._gap, "x")
        cut, has_word = cutter.cut, cutter.has_word
        from jieba import finalseg  # jieba's own HMM step; its dictionary is never loaded

        unknown: dict[str, tuple[str, ...]] = {}  # the same names come back in many windows

        def cut_block(block: str) -> list[str]:
            """jieba's ``__cut_DAG``: the best path through the dictionary comes from jieba-rs;
            runs of single characters that are not a word go through jieba's own HMM."""
            out: list[str] = []
            run: list[str] = []

            def flush() -> None:
                if not run:
                    return
                pending = "".join(run)
                run.clear()
                if len(pending) == 1:
                    out.append(pending)
                elif has_word(pending):
                    out.extend(pending)
                else:
                    words = unknown.get(pending)
                    if words is None:
                        if len(unknown) > 100_000:
                            unknown.clear()
                        words = unknown[pending] = tuple(finalseg.cut(pending))
                    out.extend(words)

            for word in cut(block, False):
                if len(word) == 1:
                    run.append(word)
                elif _ASCII_RUN.fullmatch(word) and not has_word(word):
                    run.extend(word)  # jieba-rs joins single Latin letters and digits; jieba does not
                else:
                    flush()
                    out.append(word)
            flush()
            return out

        def cut_like_jieba(text: str) -> list[str]:
            out: list[str] = []
            for block in _BLOCK.split(text):
                if not block:
                    continue
                if _BLOCK.match(block):
                    out.extend(cut_block(block))
                    continue
                for piece in _SPACE.split(block):
                    if _SPACE.match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)  # one character at a time, as jieba does
            return out

        return cut_like_jieba

    def cut(self, text: str) -> list[str]:
        """The words of ``text`` in order (jieba's precise mode with HMM)."""
        return self._cutter()(text)

    @property
    def tag_table(self) -> dict[str, str]:
        """Part of speech of every dictionary word (jieba's ``dict.txt``, then the domain words)."""
        if self._tag_table is None:
            with self._lock:
                if self._tag_table is None:
                    self._read_dictionary()
        assert self._tag_table is not None
        return self._tag_table

    def _read_dictionary(self) -> None:
        """Tags from ``dict.txt`` and the domain words; and the gap between the two totals.

        jieba's dictionary total sums every line of ``dict.txt`` and every frequency added;
        jieba-rs's sums each word's final frequency once. The padding word added to jieba-rs
        makes up the difference. Both are cached in the user's cache folder (``~/.cache/kg``, as
        jieba caches its own dictionary), keyed by the dictionary file and the words added.
        """
        dictionary = _jieba_dictionary()
        words = self._words()
        status = dictionary.stat()
        # Sorted: the lexicon's word sets come in another order in every process.
        fingerprint = (_CACHE_VERSION, str(dictionary), status.st_size, status.st_mtime_ns, _DOMAIN_FREQ, sorted(words))
        cache = _cache_folder() / f"tags-{hashlib.sha1(repr(fingerprint).encode()).hexdigest()[:16]}.marshal"
        if self._read_cache(cache):
            return
        fields = dictionary.read_text(encoding="utf-8").split()  # word frequency tag, …
        if len(fields) % 3:
            raise UsageError(f"{dictionary} is not jieba's dictionary (lines of: word frequency tag)")
        entries, counts = fields[0::3], list(map(int, fields[1::3]))
        frequencies = dict(zip(entries, counts, strict=True))
        table = dict(zip(entries, fields[2::3], strict=True))
        summed = sum(counts) + _DOMAIN_FREQ * len(words)
        frequencies.update((word, _DOMAIN_FREQ) for word, _ in words)
        table.update(words)
        self._gap = summed - sum(frequencies.values())
        self._tag_table = table
        temporary = None
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=cache.parent, prefix=cache.name, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(marshal.dumps((table, self._gap)))
            os.replace(temporary, cache)  # atomic: a reader sees the whole cache or none
        except OSError as error:  # a read-only home folder only costs time
            logging.getLogger(__name__).debug("cannot cache the tag table in %s: %s", cache, error)
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)

    def _read_cache(self, cache: Path) -> bool:
        """Take the tag table and gap from ``cache``; False if there is none or it is unreadable."""
        try:
            table, gap = marshal.loads(cache.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return False
        if not isinstance(table, dict) or not isinstance(gap, int):
            return False
        self._tag_table, self._gap = table, gap
        return True

    def tag(self, text: str) -> list[tuple[str, str]]:
        """``(word, part-of-speech)`` pairs for the short windows before a name.

        Words come from the segmenter; tags from jieba's tagged dictionary. A word the
        dictionary does not know is most often a name, so it is tagged ``n`` (punctuation ``x``).
        This is several times faster than jieba.posseg's character-level HMM and tags the
        known words the same way.
        """
        cached = self._tag_cache.get(text)
        if cached is not None:
            return list(cached)
        tags = self.tag_table
        result = []
        for word in self.cut(text):
            tag = tags.get(word)
            if tag is None and len(word) > 2 and word[0] in _GLUED_PREPOSITIONS:
                # jieba's HMM glues a preposition to the unknown name after it (在浒关, 从某某).
                result.append((word[0], "p"))
                word = word[1:]
                tag = tags.get(word)
            if tag is None:
                if word.isdigit():
                    tag = "m"
                elif word.isascii() and word.isalpha():
                    tag = "eng"
                else:
                    tag = "n" if _WORDLIKE.search(word) else "x"
            result.append((word, tag))
        if len(self._tag_cache) > 200_000:
            self._tag_cache.clear()
        self._tag_cache[text] = tuple(result)
        return result

    def tokenize(self, text: str, offset: int = 0) -> list[tuple[str, int, int]]:
        """``(word, start, end)`` triples; offsets are shifted by ``offset``."""
        spans: list[tuple[str, int, int]] = []
        position = offset
        for word in self.cut(text):
            spans.append((word, position, position + len(word)))
            position += len(word)
        return spans


_DEFAULT: Segmenter | None = None


def default_segmenter() -> Segmenter:
    """A shared Segmenter for callers that do not bring their own (built lazily)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Segmenter()
    return _DEFAULT
