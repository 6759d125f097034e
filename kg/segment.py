"""The Segmenter: kg's own configured ``jieba.Tokenizer`` with the domain lexicon.

No global jieba state is touched and nothing is loaded at import time: the dictionary is read
the first time a Segmenter cuts text, and the domain words (zone suffixes, legal forms, post
titles, places) are added to that instance only.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import lexicon

if TYPE_CHECKING:  # pragma: no cover
    import jieba
    import jieba.posseg

__all__ = ["Segmenter", "default_segmenter"]

_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def _domain_words() -> Iterable[tuple[str, str]]:
    """``(word, part of speech)`` pairs added to the segmenter's dictionary."""
    yield from ((w, "n") for w in lexicon.PARK_SUFFIXES)
    yield from ((s, "n") for s in lexicon.COMPANY_SUFFIXES if s.isalpha())
    yield from ((w, "n") for w in lexicon.POST_TITLES)
    yield from ((w, "nt") for w in lexicon.BODY_HEADS)
    yield from ((w, "ns") for w in lexicon.place_index())
    yield from ((w, "n") for w in ("规上", "规模以上", "固定资产投资", "营业收入", "工业产值", "税收收入", "进出口总额"))
    yield from ((w, "v") for w in ("同比增长", "同比下降"))
    yield from ((w, "n") for w in ("物联网", "人工智能", "大数据", "区块链", "云计算", "集成电路", "生物医药", "新能源", "元宇宙", "智能制造"))
    yield from ((w, "m") for w in ("百分点", "以上", "左右"))


class Segmenter:
    """Cuts Chinese text into words with character offsets, using the domain lexicon."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._extra = tuple(extra_words)
        self._tokenizer: jieba.Tokenizer | None = None
        self._tag_table: dict[str, str] | None = None
        # Windows before names repeat across articles (the same park, the same company).
        self._tag_cache: dict[str, tuple[tuple[str, str], ...]] = {}
        self._lock = threading.Lock()

    @property
    def tokenizer(self) -> "jieba.Tokenizer":
        """The underlying jieba Tokenizer, built on first use."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import jieba

                    logging.getLogger("jieba").setLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    for word, tag in (*_domain_words(), *((w, "n") for w in self._extra)):
                        tokenizer.add_word(word, freq=200_000, tag=tag)
                    self._tokenizer = tokenizer
        return self._tokenizer

    def cut(self, text: str) -> list[str]:
        """The words of ``text`` in order (jieba's precise mode with HMM)."""
        return self.tokenizer.lcut(text, HMM=True)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """``(word, part-of-speech)`` pairs for the short windows before a name.

        Words come from the fast segmenter; tags from jieba's tagged dictionary. A word the
        dictionary does not know is most often a name, so it is tagged ``n`` (punctuation ``x``).
        This is several times faster than jieba.posseg's character-level HMM and tags the
        known words the same way.
        """
        cached = self._tag_cache.get(text)
        if cached is not None:
            return list(cached)
        tags = self._tags()
        result = []
        for word in self.tokenizer.lcut(text, HMM=True):
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

    def _tags(self) -> dict[str, str]:
        if self._tag_table is None:
            import jieba.posseg

            tagger = jieba.posseg.POSTokenizer(self.tokenizer)
            tagger.makesure_userdict_loaded()
            self._tag_table = tagger.word_tag_tab
        return self._tag_table

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
