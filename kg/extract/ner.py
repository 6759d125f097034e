"""A statistical recognizer of company (ORG) and person (PER) names: a linear-chain CRF.

Rules find names by their legal suffix or by a post title next to them; news names most
companies without either (short names, brands, transliterations) and many people far from
their post. The CRF proposes those spans from character n-grams, character classes, the
segmenter's word boundaries and parts of speech, and the domain lexicon; the rules still type
what it proposes (a span ending in a zone suffix is a zone, a government head a body).

The model (``kg/_data/ner.crfsuite``) is trained by ``scripts/train_ner.py`` on CLUENER2020
(see the README for provenance and licence). It is loaded the first time a sentence is tagged,
never at import time. Only sentences with a cue (企业, 公司, 落户, 签约, a post title …) are
tagged, and the finder that runs by default (``ner.full-name``) tags only sentences where a rule
found a full legal name, which keeps ``kg build`` fast.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..lexicon import (
    BODY_HEADS,
    COMPANY_SUFFIXES,
    INDUSTRY_WORDS,
    PARK_SUFFIXES,
    POST_TITLES,
    SURNAMES,
    counties,
    place_index,
)
from .base import HAN, SentenceContext, register

if TYPE_CHECKING:
    from ..segment import Segmenter

__all__ = [
    "FEATURE_VERSION",
    "MODEL_PATH",
    "MODEL_INFO_PATH",
    "model_version",
    "LABELS",
    "Span",
    "sentence_features",
    "NerTagger",
    "default_tagger",
    "extend_full_names",
    "find_model_companies",
    "find_model_people",
]

#: Bumped whenever :func:`sentence_features` changes; the model file records the version it
#: was trained with, and loading a model of another version fails loudly.
FEATURE_VERSION = 1
MODEL_PATH = Path(__file__).resolve().parent.parent / "_data" / "ner.crfsuite"
#: What the training script records next to the model: feature version, corpus, settings, scores.
MODEL_INFO_PATH = MODEL_PATH.with_name("ner.json")
#: Entity labels the model tags (BIO: ``B-ORG``, ``I-ORG``, ``B-PER``, ``I-PER``, ``O``).
LABELS = ("ORG", "PER")

Span = tuple[int, int, str, float]  # start, end (exclusive, local to the text), label, confidence


def _char_class(char: str) -> str:
    """H (Han), D (digit), L (Latin letter), P (punctuation or space), O (anything else)."""
    if "\u4e00" <= char <= "\u9fff":
        return "H"
    if char.isdigit():
        return "D"
    if char.isascii() and char.isalpha():
        return "L"
    if char.isspace() or not char.isalnum():
        return "P"
    return "O"


@cache
def _lexicon_classes() -> dict[str, str]:
    """Word → the lexicon class it belongs to (the first that holds it, in this order)."""
    classes: dict[str, str] = {}
    groups = (
        ("csuf", COMPANY_SUFFIXES),
        ("post", POST_TITLES),
        ("psuf", tuple(PARK_SUFFIXES)),
        ("body", BODY_HEADS),
        ("ind", INDUSTRY_WORDS),
        ("place", tuple(place_index())),
        ("county", tuple(counties())),
    )
    for name, words in groups:
        for word in words:
            classes.setdefault(word, name)
    return classes


_BOS = "^"
_EOS = "$"


def sentence_features(text: str, segmenter: Segmenter) -> list[list[str]]:
    """The CRF features of every character of ``text`` (version :data:`FEATURE_VERSION`)."""
    words = segmenter.cut(text)
    table = segmenter.tag_table
    lexicon = _lexicon_classes()
    # Per word: its tag (UNK when the dictionary does not know it) and lexicon class.
    infos: list[tuple[str, str, str]] = []
    for word in words:
        tag = table.get(word)
        infos.append((word, tag or ("UNK" if len(word) > 1 else "UNK1"), lexicon.get(word, "-")))
    padded = _BOS + _BOS + text + _EOS + _EOS
    classes = [_char_class(c) for c in text]
    features: list[list[str]] = []
    count = len(infos)
    for number, (word, tag, lex) in enumerate(infos):
        size = len(word)
        previous = infos[number - 1] if number else (_BOS, _BOS, _BOS)
        following = infos[number + 1] if number + 1 < count else (_EOS, _EOS, _EOS)
        for inner in range(size):
            i = len(features)
            c = padded[i + 2]
            before, after = padded[i + 1], padded[i + 3]
            position = "S" if size == 1 else "B" if inner == 0 else "E" if inner == size - 1 else "M"
            row = [
                "c=" + c,
                "c-1=" + before,
                "c+1=" + after,
                "c-2=" + padded[i],
                "c+2=" + padded[i + 4],
                "b-1=" + before + c,
                "b+1=" + c + after,
                "t="
                + classes[i]
                + (classes[i - 1] if i else _BOS)
                + (classes[i + 1] if i + 1 < len(classes) else _EOS),
                "p=" + position + str(min(size, 4)),
                "g=" + tag + position,
                "l=" + lex + position,
            ]
            if size > 1:
                row.append("w=" + word)
            if c in SURNAMES:
                row.append("sur")
            if position in ("B", "S"):
                row.append("pw=" + previous[0])
                row.append("pl=" + previous[2] + "|" + previous[1])
            if position in ("E", "S"):
                row.append("nw=" + following[0])
                row.append("nl=" + following[2] + "|" + following[1])
            features.append(row)
    return features


class NerTagger:
    """The CRF model, loaded on first use; :meth:`spans` tags one sentence."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        self.path = path
        self._tagger = None
        self._lock = threading.Lock()

    def _load(self):
        if self._tagger is None:
            with self._lock:
                if self._tagger is None:
                    import pycrfsuite

                    version = model_version(self.path)
                    tagger = pycrfsuite.Tagger()
                    tagger.open(str(self.path))
                    if version != FEATURE_VERSION:
                        raise RuntimeError(
                            f"{self.path} was trained with feature version {version}, this code computes "
                            f"version {FEATURE_VERSION}: retrain it with scripts/train_ner.py"
                        )
                    self._tagger = tagger
        return self._tagger

    @property
    def loaded(self) -> bool:
        """Whether the model file has been read."""
        return self._tagger is not None

    def spans(self, text: str, segmenter: Segmenter) -> list[Span]:
        """Entity spans of ``text``: ``(start, end, label, confidence)`` with character offsets
        into ``text``; the confidence is the lowest marginal probability of the span's labels."""
        if not text:
            return []
        tagger = self._load()
        features = sentence_features(text, segmenter)
        with self._lock:  # the CRF tagger keeps the sentence it was given: one at a time
            labels = tagger.tag(features)
            return [
                (start, end, label, min(tagger.marginal(labels[i], i) for i in range(start, end)))
                for start, end, label in bio_spans(labels)
            ]


def model_version(path: Path = MODEL_PATH) -> int | None:
    """The feature version the model at ``path`` was trained with (from the ``.json`` beside it)."""
    info = path.with_suffix(".json")
    if not info.is_file():
        return None
    return json.loads(info.read_text(encoding="utf-8")).get("feature_version")


def bio_spans(labels: list[str]) -> Iterator[tuple[int, int, str]]:
    """``(start, end, label)`` of every span in a BIO label sequence (an I- without a B- starts one)."""
    start, current = 0, None
    for i, tag in enumerate([*labels, "O"]):
        kind = tag[2:] if tag != "O" else None
        if current is not None and (tag == "O" or tag.startswith("B-") or kind != current):
            yield start, i, current
            current = None
        if kind is not None and current is None:
            start, current = i, kind


_DEFAULT: NerTagger | None = None


def default_tagger() -> NerTagger:
    """The shared tagger of the shipped model (built lazily; the model loads on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = NerTagger()
    return _DEFAULT


# --- mention finders ------------------------------------------------------------------------

#: Words that make a sentence worth tagging: companies, projects, investment, posts.
_CUES = (
    "企业",
    "公司",
    "集团",
    "项目",
    "落户",
    "签约",
    "引进",
    "投资",
    "入驻",
    "合作",
    "厂",
    "品牌",
    "龙头",
    "牵手",
    "携手",
    "总部",
)
#: Below this marginal probability a span is not proposed.
ORG_THRESHOLD = float(os.environ.get("KG_NER_ORG_THRESHOLD", "0.5"))
PER_THRESHOLD = float(os.environ.get("KG_NER_PER_THRESHOLD", "0.5"))


@cache
def _cue_pattern() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(set(_CUES) | set(POST_TITLES), key=len, reverse=True)))


_LAST = threading.local()


def _sentence_spans(context: SentenceContext) -> list[Span]:
    """The model's spans of the context's sentence (local offsets), computed once per sentence:
    the company and person finders share them. Sentences without a cue are not tagged."""
    if getattr(_LAST, "sentence", None) is context.sentence and getattr(_LAST, "text", None) == context.text:
        return _LAST.spans
    spans = default_tagger().spans(context.text, context.segmenter) if _cue_pattern().search(context.text) else []
    _LAST.sentence, _LAST.text, _LAST.spans = context.sentence, context.text, spans
    return spans


#: Spans that name a kind of company, not one company.
_GENERIC = frozenset(
    """公司 企业 集团 厂 工厂 总部 子公司 分公司 母公司 上市公司 龙头企业 外资企业 民营企业 国有企业 国企 央企 民企
    外企 合资企业 独资企业 该公司 本公司 该企业 该集团""".split()
)
_NOT_A_COMPANY_END = re.compile(
    r"(?:基地|园|项目|工程|事务所|企业|部门|单位|机构|高校|院所|学校|大学|学院|医院|银行|协会|商会|联盟|中心"
    r"|研究院|研究所|实验室|政府|委员会|办公室|局|厅|委|办)$"
)


@cache
def _park_suffixes() -> tuple[str, ...]:
    return tuple(sorted(PARK_SUFFIXES, key=len, reverse=True))


def _is_company(name: str, context: SentenceContext) -> bool:
    """Whether a span the model tags ORG may be an enterprise, as our rules read names: not a
    zone (park suffix), a government body, a place, a generic word or an industry or product."""
    if len(name) < 2 or name in _GENERIC or name.endswith((*_park_suffixes(), *BODY_HEADS)):
        return False
    if _NOT_A_COMPANY_END.search(name) or name in place_index() or name in counties():
        return False
    if name in _industry_words() or re.fullmatch(r"[\d.%]+|[A-Za-z]", name):
        return False
    tag = context.segmenter.tag_table.get(name)
    # A common word of the dictionary (变压器, 开关) is a product or a trade, not a company;
    # dictionary words tagged as names, brands or organisations (某某, nt/nz) are kept.
    return tag is None or tag.startswith(("nt", "nz", "nr", "j", "eng"))


@cache
def _industry_words() -> frozenset[str]:
    return frozenset(INDUSTRY_WORDS)


#: Below this marginal probability a span does not move a rule's left boundary.
EXTEND_THRESHOLD = float(os.environ.get("KG_NER_EXTEND_THRESHOLD", "0.5"))
#: What never stands inside a name before its rule-found part: a kind of company (独资企业),
#: a possessive or a conjunction.
_NOT_IN_PREFIX = re.compile(r"企业|公司|厂商|的|独资|合资|外资|旗下|和|与|及|或")
_NAME_BREAK = re.compile(r"[,，。;；:：!！?？、“”\"《》\s]")


def _extend_full_name(context: SentenceContext, start: int, end: int) -> bool:
    """A full name the rules cut short on the left (they stop at a word that may begin a name:
    某重装|某某材料科技有限公司): the model's span ends where the rule's does and begins before
    it, with nothing else named in between. The rule's mention takes the model's start.
    Returns whether the span was used so."""
    for mention in context.mentions:
        if mention.type != "Enterprise" or mention.rule != "enterprise.legal-suffix" or mention.end != end:
            continue
        if mention.start <= start:
            return mention.start == start
        prefix = context.text[start - context.offset : mention.start - context.offset]
        if len(prefix) > 8 or _NAME_BREAK.search(prefix) or _NOT_IN_PREFIX.search(prefix):
            return False
        if context.taken(start, mention.start, allow=("Place",)):
            return False
        context.claim(start, mention.start)
        mention.start = start
        mention.text = context.text[start - context.offset : end - context.offset]
        return True
    return False


@register("ner.full-name")
def extend_full_names(context: SentenceContext) -> None:
    """Full legal names whose left boundary the model reads further back than the rules; only
    sentences where a rule found a full name are tagged."""
    if not any(m.rule == "enterprise.legal-suffix" for m in context.mentions):
        return
    offset = context.offset
    for start, end, label, confidence in _sentence_spans(context):
        if label == "ORG" and confidence >= EXTEND_THRESHOLD:
            _extend_full_name(context, offset + start, offset + end)


@register("ner.org", optional=True)
def find_model_companies(context: SentenceContext) -> None:
    """Company names the model proposes where no rule found a name: short names and brands."""
    offset = context.offset
    for start, end, label, confidence in _sentence_spans(context):
        if label != "ORG" or confidence < ORG_THRESHOLD:
            continue
        if any(m.rule == "enterprise.legal-suffix" and m.end == offset + end for m in context.mentions):
            continue  # the rule's full name stands (ner.full-name may have moved its start)
        name = context.text[start:end]
        if not _is_company(name, context):
            continue
        if context.taken(offset + start, offset + end, allow=("Place",)):
            continue
        context.claim(offset + start, offset + end)
        context.add("Enterprise", offset + start, offset + end, "ner.org")


_PERSON = re.compile(rf"[{HAN}]{{2,4}}|[{HAN}]{{1,6}}·[{HAN}]{{1,8}}")


@register("ner.person", optional=True)
def find_model_people(context: SentenceContext) -> None:
    """Person names the model proposes where no rule found one (no post title nearby)."""
    offset = context.offset
    for start, end, label, confidence in _sentence_spans(context):
        if label != "PER" or confidence < PER_THRESHOLD:
            continue
        name = context.text[start:end]
        if not _PERSON.fullmatch(name) or ("·" not in name and name[0] not in SURNAMES and name[:2] not in SURNAMES):
            continue
        tag = context.segmenter.tag_table.get(name)
        if tag is not None and not tag.startswith("nr"):
            continue  # a common word (记者, 来说), not a name
        if context.taken(offset + start, offset + end):
            continue
        context.add("Person", offset + start, offset + end, "ner.person")
