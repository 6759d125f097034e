"""Mention finders, one module per kind, run in a fixed order over each sentence.

The finders are pipeline components; their order is part of ``kg.pipeline.PIPELINE``, and it
matters: policy titles and full company names claim their spans first, so that a place
or zone inside them is not read as a name of its own; people come next, so a name after a post
(书记黄志坚到…) never starts a zone's name; bodies come after the parks and places they are
anchored on; generic references come last.

The statistical recognizer (:mod:`.ner`) registers three finders; only ``ner.full-name`` (the
model moves the left boundary of a full legal name the rules cut short) runs by default. Its
``ner.org`` (short names and brands) and ``ner.person`` proposals are registered as optional
and left out of the pipeline: on the real development articles they cost more than they bring (README).
"""

from __future__ import annotations

import re
from functools import cache

from ..components import Work, component
from . import bodies, enterprises, ner, parks, people, places, policies, references  # noqa: F401  (registers)
from .base import FINDERS, HAN, SentenceContext
from .enterprises import enterprise_core

__all__ = ["FINDERS", "find_aliases"]


@component("aliases", reads=("spans",), adds=("mentions",))
def find_aliases(work: Work) -> None:
    """Add the other names of what the finders found, then list every mention in text order
    (nested anchors included)."""
    _find_aliases(work.contexts)
    mentions = [m for context in work.contexts for m in context.mentions]
    mentions.sort(key=lambda m: (m.start, -m.end))
    work.mentions = mentions


_ALIAS = re.compile(r"[(（]\s*(?:以下)?简称[“\"]?([^”\")）]{2,12})[”\"]?\s*[)）]")
_BRACKETED_NAME = re.compile(r"\(([^()]{4,40})\)")


def _find_aliases(contexts: list[SentenceContext]) -> None:
    """Other names: （以下简称“X”） after any name, and the distinctive core of a full company
    name used on its own (星河 for 厦门星河微电子有限公司)."""
    cores: dict[str, str] = {}
    sharing: dict[str, list[str]] = {}  # core → every full name with it (广州智驰…, 清远智驰…)
    for context in contexts:
        for mention in list(context.mentions):
            if mention.generic or mention.type in ("Person", "Place"):
                continue
            local_end = mention.end - context.offset
            alias = _ALIAS.match(context.text, local_end)
            if alias:
                start = context.offset + alias.start(1)
                context.mentions = [m for m in context.mentions if not (start <= m.start < start + len(alias.group(1)))]
                context.add(
                    mention.type, start, start + len(alias.group(1)), "alias.short-name", refers_to=mention.text
                )
                if mention.type == "Enterprise":
                    cores[alias.group(1)] = mention.text
            if mention.rule == "enterprise.latin":
                # Hoffmann GmbH(霍夫曼传动技术有限公司): the bracketed Chinese name is the same company.
                bracketed = _BRACKETED_NAME.match(context.text, local_end)
                if bracketed:
                    for other in context.mentions:
                        if other.type == "Enterprise" and other.start == context.offset + bracketed.start(1):
                            other.refers_to = mention.text
            if mention.type != "Enterprise" or mention.rule != "enterprise.legal-suffix":
                continue
            core = enterprise_core(mention.text)
            if len(core) >= 2 and core != mention.text and core not in _industry_words() and not _a_place(core):
                cores.setdefault(core, mention.text)
                sharing.setdefault(core, []).append(mention.text)
    if not cores:
        return
    # Short names found on their own (海韵信息 before a post) are the full name whose core they
    # share; a short name that begins one full name exactly (清远智驰 of 清远智驰汽车零部件有限公司)
    # is that one, though another company shares its core (广州智驰汽车零部件有限公司).
    full_names = {
        m.text
        for context in contexts
        for m in context.mentions
        if m.type == "Enterprise" and m.rule == "enterprise.legal-suffix"
    }
    for context in contexts:
        for mention in context.mentions:
            if (
                mention.type == "Enterprise"
                and not mention.generic
                and not mention.refers_to
                and mention.rule != "enterprise.legal-suffix"
            ):
                starting = [name for name in full_names if name.startswith(mention.text) and name != mention.text]
                full = (
                    starting[0]
                    if len(starting) == 1
                    else cores.get(enterprise_core(mention.text)) or cores.get(mention.text)
                )
                if full and full != mention.text:
                    mention.refers_to = full
    ordered = sorted(cores, key=len, reverse=True)
    for context in contexts:
        for core in ordered:
            position = context.text.find(core)
            while position >= 0:
                start = context.offset + position
                end = start + len(core)
                # Extend over a following industry word: 天马 + 微电子.
                run = re.match(rf"[{HAN}]{{0,4}}", context.text[position + len(core) :])
                tail = run.group() if run else ""
                for size in range(len(tail), 0, -1):
                    if tail[:size] in _industry_words():
                        end += size
                        break
                full = cores[core]
                for name in sharing.get(core, ()):
                    # 清远智驰: the place before the core tells which of the companies it is.
                    head = name[: name.find(core)]
                    if head and context.text[max(0, position - len(head)) : position] == head:
                        full, start = name, start - len(head)
                        break
                if not context.taken(start, end, allow=("Place",)):
                    context.claim(start, end)  # 清远 of 清远智驰 is part of the name here
                    context.add("Enterprise", start, end, "enterprise.core-alias", refers_to=full)
                position = context.text.find(core, position + len(core))


def _a_place(word: str) -> bool:
    """A city, province or county (常州 of 常州电视机厂): never a company's short name on its own."""
    from ..lexicon import counties, place_index

    return word in place_index() or word in counties()


@cache
def _industry_words() -> frozenset[str]:
    from ..lexicon import INDUSTRY_WORDS

    return frozenset(INDUSTRY_WORDS)
