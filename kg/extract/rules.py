"""What each extraction rule means, in words a reader of the page understands.

Every fact's evidence names the rule that produced it (``kg:rule "hosts.article-park"``); the
rules themselves live in :mod:`kg.extract.relations` and :mod:`kg.extract.metrics`. This is
the one table that turns a rule id into a short phrase in Chinese and English, and says
whether the rule *infers* the link (from the article's context, from a name, from a zone's
rank) rather than reading it in the evidence sentence, and why. The explorer shows the phrase
instead of the id, and an inferred link with its reason, never as if the sentence stated it.

A new rule needs a row here: ``tests/test_extract.py`` reads every rule id in the extractors'
source and fails for one without a reading.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "RuleReading", "reading"]


@dataclass(frozen=True, slots=True)
class RuleReading:
    """A rule in words: a short phrase (zh, en) and, for an inferred link, why (zh, en)."""

    zh: str
    en: str
    why_zh: str | None = None
    why_en: str | None = None

    @property
    def inferred(self) -> bool:
        """Whether the link is inferred rather than stated by the evidence sentence."""
        return self.why_zh is not None


_STATED = ("句中明言", "stated in the sentence")
_SAME_ARTICLE = ("同篇报道推断", "inferred from the same article")
_CONTEXT = ("上下文推断", "inferred from the context")
_NAME = ("由名称推断", "inferred from a name")
_RANK = ("由园区级别推断", "inferred from the zones' ranks")

#: Rule id → its reading. Stated rules have no reason; inferred ones say why.
RULES: dict[str, RuleReading] = {
    # hosts: a zone and a company in it
    "hosts.same-sentence": RuleReading(*_STATED),
    "hosts.article-park": RuleReading(
        *_SAME_ARTICLE,
        "同篇报道推断：句中未提园区，取本段或全文所写的园区",
        "inferred from the same article: the sentence names no zone, so the zone its paragraph or article is about",
    ),
    "hosts.park-named-after": RuleReading(
        *_NAME,
        "由名称推断：园区以该企业命名",
        "inferred from a name: the zone is named after the company",
    ),
    # issues: a park or body and the policy it issued
    "issues.verb": RuleReading(*_STATED),
    "issues.body-title": RuleReading(
        "句中明言：机构名在政策名前", "stated in the sentence: the body's name before the title"
    ),
    "issues.sentence-topic": RuleReading("句中明言：句子主语发布", "stated in the sentence: its subject issued it"),
    # partOf: a zone inside a zone
    "partOf.adjacent": RuleReading(
        "句中明言：上级园区名紧接其前", "stated in the sentence: the parent zone named right before"
    ),
    "partOf.name-contains": RuleReading(
        *_NAME,
        "由名称推断：园区名以上级园区名开头",
        "inferred from a name: the zone's name starts with its parent's",
    ),
    "partOf.owner-in-sentence": RuleReading(
        *_RANK,
        "由园区级别推断：同句前文提到的更高级别园区",
        "inferred from the zones' ranks: a higher-ranking zone named earlier in the sentence",
    ),
    "partOf.article-rank": RuleReading(
        *_RANK,
        "由园区级别推断：本文所写的更高级别园区",
        "inferred from the zones' ranks: the higher-ranking zone the article is about",
    ),
    # locatedIn: a zone and the place it lies in
    "locatedIn.stated": RuleReading("句中明言：位于", "stated in the sentence: lies in"),
    "locatedIn.name-prefix": RuleReading(
        *_NAME,
        "由名称推断：园区名以该地名开头",
        "inferred from a name: the zone's name starts with the place's",
    ),
    # holdsPost: a person and the organisation of their post
    "holdsPost.title-before-name": RuleReading(
        "句中明言：职务在人名前", "stated in the sentence: the title before the name"
    ),
    # achieves: a figure and the park or company it belongs to
    "achieves.nearest-subject": RuleReading(
        "句中明言：数值前最近的主体", "stated in the sentence: the nearest subject before the figure"
    ),
    "achieves.sentence-subject": RuleReading("句中明言：句首主语", "stated in the sentence: its opening subject"),
    "achieves.quote-speaker": RuleReading(
        *_CONTEXT,
        "上下文推断：引语中的数值归说话人所在单位",
        "inferred from the context: a figure in a quotation is the speaker's organisation's",
    ),
    "achieves.sentence-topic": RuleReading(
        *_CONTEXT,
        "上下文推断：句中无主体，取前文所谈的园区或企业",
        "inferred from the context: the sentence names no subject, so the zone or company being discussed",
    ),
    "achieves.project-owner": RuleReading(
        *_CONTEXT,
        "上下文推断：项目的数值归前文提到的项目企业",
        "inferred from the context: a project's figure goes to the company named before as its owner",
    ),
    "achieves.article-park": RuleReading(
        *_SAME_ARTICLE,
        "同篇报道推断：句中无主体，取本文所写的园区",
        "inferred from the same article: the sentence names no subject, so the article's zone",
    ),
}


def reading(rule: str) -> RuleReading | None:
    """The reading of ``rule``; None for a rule this version does not know (an older graph's)."""
    return RULES.get(rule)
