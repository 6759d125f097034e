"""Shared machinery of the mention finders: the sentence context and left-boundary trimming."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..components import Work, component
from ..lexicon import COUNTRIES, HAN, LEFT_STOPWORDS, counties, place_index
from ..model import EntityType, Mention, Sentence
from ..segment import Segmenter

__all__ = [
    "SentenceContext",
    "Finder",
    "FINDERS",
    "register",
    "trim_left",
    "object_of_verb",
    "opens_sentence",
    "CUSTOMER_BEFORE",
    "HAN",
    "BREAK",
]

#: Characters that can never be inside a name.
BREAK = re.compile(r"[,，。;；:：!！?？、“”\"‘’'《》<>\[\]【】\s…—丨|│·•]")


@dataclass(slots=True)
class SentenceContext:
    """One sentence being read, with the mentions found in it so far."""

    sentence: Sentence
    segmenter: Segmenter
    mentions: list[Mention] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.sentence.norm

    @property
    def offset(self) -> int:
        return self.sentence.start

    def taken(self, start: int, end: int, *, allow: tuple[EntityType, ...] = ()) -> bool:
        """True if ``[start, end)`` (absolute) overlaps a mention not of a type in ``allow``."""
        return any(m.start < end and start < m.end and not m.generic and m.type not in allow for m in self.mentions)

    def add(self, type_: EntityType, start: int, end: int, rule: str, **extra: object) -> Mention:
        """Record a mention at absolute offsets ``[start, end)``."""
        local = self.text[start - self.offset : end - self.offset]
        mention = Mention(type=type_, text=local, start=start, end=end, sentence=self.sentence.index, rule=rule)
        for key, value in extra.items():
            setattr(mention, key, value)
        self.mentions.append(mention)
        return mention

    def claim(self, start: int, end: int) -> None:
        """Drop the place mentions inside ``[start, end)``: a name that holds a place wins."""
        self.mentions = [m for m in self.mentions if not (m.type == "Place" and start <= m.start and m.end <= end)]

    def last_end_before(self, position: int) -> int:
        """End of the last non-generic mention that ends at or before ``position``."""
        ends = [m.end for m in self.mentions if m.end <= position and not m.generic and m.type != "Place"]
        return max(ends, default=self.offset)


Finder = Callable[[SentenceContext], None]
#: Every mention finder by name, in registration order (they run in ``kg.pipeline.PIPELINE`` order).
FINDERS: list[tuple[str, Finder]] = []


def register(name: str, *, optional: bool = False) -> Callable[[Finder], Finder]:
    """Register a mention finder as the pipeline component ``name``: it reads each sentence and
    its words and adds spans; ``optional`` ones run only where a pipeline lists them."""

    def decorate(finder: Finder) -> Finder:
        def run(work: Work) -> None:
            for context in work.contexts:
                finder(context)

        component(name, reads=("sentences", "words"), adds=("spans",), optional=optional)(run)
        FINDERS.append((name, finder))
        return finder

    return decorate


_WORDLIKE = re.compile(rf"[{HAN}A-Za-z0-9]")

#: Parts of speech that never begin a name (verbs, prepositions, conjunctions, particles, adverbs…).
_STOP_TAGS = ("v", "p", "c", "u", "d", "r", "ad", "t", "m", "q", "y", "e", "o", "f")


#: Directions that follow a place inside a zone's name (城北, 某区北部).
_DIRECTIONS = frozenset("东部 西部 南部 北部 中部 东北部 东南部 西北部 西南部 东 西 南 北 城东 城西 城南 城北".split())

#: Closed word classes that end a name's left context even inside a long company name.
_CLOSED_TAGS = ("p", "c", "u", "r", "y", "e", "o")


def _county_word(word: str, tag: str) -> bool:
    """A county-level place: its full name (萧山区), or its short name where jieba tags it as a
    name (海淀, ns) rather than as a common word that happens to name a county (前进, 光明)."""
    full = counties().get(word)
    return full is not None and (full == word or tag.startswith(("ns", "nr", "nz", "nt", "j")))


def _place_follows(words: list[tuple[str, str]], number: int) -> bool:
    """Whether a place name comes later in ``words`` than position ``number``."""
    places = place_index()
    return any(word in places for word, _ in words[number + 1 :])


def trim_left(context: SentenceContext, window_start: int, name_end: int, *, company: bool = False) -> int:
    """The absolute start of a name that ends at ``name_end``, looking back to ``window_start``.

    The window is cut at the last punctuation mark, then tagged; everything up to and
    including the last word that never begins a name (像, 由, 在, 引进, any verb or
    preposition …) is dropped. Place names are never dropped, whatever their tag.
    """
    local_start = window_start - context.offset
    local_end = name_end - context.offset
    window = context.text[local_start:local_end]
    cut = 0
    for match in BREAK.finditer(window):
        cut = match.end()
    opening = window.rfind("(")
    if opening >= cut and ")" not in window[opening:]:
        cut = opening + 1  # 陆海滨(湖州某高新区管委会副主任): a name begins inside an open bracket
    window = window[cut:]
    places = place_index()
    position = 0
    start = 0
    seen_place = False
    floor = 0
    words = context.segmenter.tag(window)
    if company:
        # A company name that holds a place (not in brackets) starts with it: 主要客户|日本…株式会社.
        depth = 0
        at = 0
        for word, _ in words:
            depth += word == "("
            depth = max(0, depth - (word == ")"))
            if depth == 0 and (word in places or word in COUNTRIES) and at > 0:
                floor = at
                break
            at += len(word)
    for number, (word, tag) in enumerate(words):
        position += len(word)
        if word in ("(", ")"):
            continue
        if word in places or (word.endswith(("省", "市")) and word[:-1] in places) or _county_word(word, tag):
            seen_place = True
            continue
        if not _WORDLIKE.search(word) or word.isdigit():
            start = position  # punctuation, and list numbers (①, 1.) before a name
            continue
        if company:
            # Company names hold open-class words (投资, 智控, 对俄); once a place has begun
            # the name, or right before a bracketed place, only closed classes end it.
            before_bracket = number + 1 < len(words) and words[number + 1][0] == "("
            if word in (
                "的",
                "了",
                "在",
                "由",
                "与",
                "和",
                "像",
                "及",
                "等",
                "是",
                "为",
                "将",
                "把",
                "被",
                "从",
                "对于",
                "内",
                "里",
                "区内",
                "园内",
                "城内",
                "镇内",
                "片区内",
                "还有",
                "包括",
                "其中",
            ) or (
                not seen_place
                and not before_bracket
                and (
                    word in LEFT_STOPWORDS
                    or (tag.startswith(_CLOSED_TAGS) and word != "对")
                    or (tag.startswith(("v", "d", "t", "m")) and tag != "vn" and _place_follows(words, number))
                )
            ):
                start = position
                seen_place = False
            continue
        if (
            word in _DIRECTIONS
            and number
            and start < position - len(word)
            and (seen_place or words[number - 1][1].startswith(("ns", "nr", "nz")))
        ):
            continue  # 某区北部科技园区: a direction after a place is part of the zone's name
        # The word touching the suffix belongs to the name unless it is a function word (董家口).
        last = number == len(words) - 1 and (
            tag.startswith(("q", "m"))
            # A county's short name touching the suffix names the zone, whatever jieba tags it
            # (some are tagged verbs): 位于某县经济开发区.
            or (not company and word in counties())
        )
        if word in LEFT_STOPWORDS or (tag.startswith(_STOP_TAGS) and tag != "vn" and not last):
            start = position
    return window_start + cut + max(start, floor)


#: Verbs that take a zone as their object (支持某经开区, 推动某高新区…).
ACTS_ON = re.compile(
    r"(?:支持|推动|推进|加快|建设|打造|创建|依托|围绕|深化|提升|做强|做大|做优|发展|建成|培育|争创|设立|新设|认定|实施|布局|完善|优化|规划)$"
)


def object_of_verb(text: str, offset: int, mention: Mention) -> bool:
    """Whether a zone stands as the object of a verb or inside a list (支持某经开区、某高新区)."""
    local = mention.start - offset
    return (
        bool(ACTS_ON.search(text, 0, local))
        or text[local - 1 : local] == "、"
        or text[mention.end - offset : mention.end - offset + 1] == "、"
    )


#: Clauses that set the scene before a sentence's subject: 在某省某市，/ 近年来，/ 据悉，
_ADVERBIAL_CLAUSES = re.compile(
    r"^(?:(?:在|据|近年来|近日|日前|今年|目前|如今|同时|此外|另外|与此同时)[^,，;；:：]*[,，])+"
)


def opens_sentence(text: str, offset: int, mention: Mention) -> bool:
    """Whether a zone is what its sentence is about: it opens the sentence (after scene-setting
    clauses such as 在某省某市，) and is no verb's object (支持某经开区)."""
    lead = _ADVERBIAL_CLAUSES.sub("", text[: mention.start - offset])
    return not re.search(r"[,，;；:：]", lead) and not object_of_verb(text, offset, mention)


#: What comes before a customer's name in its clause (为某某巨头…, 向, 供应给 …): a company the
#: one in the sentence works for, neither hosted by the zone nor the subject of its figures.
CUSTOMER_BEFORE = re.compile(r"(?:(?<![成作定评选])为|向|给|供应给|销往|卖给|客户(?:包括|有|为)?)[^,，;；。]{0,16}$")
