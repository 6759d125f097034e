"""Generic references: 该区 / 园区 / 全区 / bare 高新区 for a park; 该公司 / 公司 / 企业 for an
enterprise; 全市 / 全省 / 全国 for the wider area (which blocks crediting a figure to a park)."""

from __future__ import annotations

import re

from ..model import EntityType
from .base import SentenceContext, register

__all__ = ["find_references", "PARK_REFERENCE", "COMPANY_REFERENCE", "AREA_REFERENCE"]


def _park_reference() -> re.Pattern[str]:
    from ..lexicon import PARK_SUFFIXES, alternation

    bare = alternation(s for s in PARK_SUFFIXES if len(s) >= 3 or s in ("新区", "片区", "小镇", "园区"))
    return re.compile(rf"该区|本区|全区|园区|该园区|园区内|区内|园内|入园|片区内|(?:该|本)?{bare}(?!域|内外)")


PARK_REFERENCE = _park_reference()
COMPANY_REFERENCE = re.compile(r"该公司|该企业|这家企业|这家公司|公司|企业")
_SUBJECT_CUE = re.compile(r"(?:负责人|总经理|董事长|副总|产品|已|的产品|下游|研发)")
AREA_REFERENCE = re.compile(r"全市|全省|全国|全球|全自治区|全县|市里|省里|全行业")


@register("reference")
def find_references(context: SentenceContext) -> None:
    """Generic mentions, marked ``generic`` so they never block or become names themselves."""
    text, offset = context.text, context.offset
    kinds: tuple[tuple[re.Pattern[str], EntityType, str], ...] = (
        (PARK_REFERENCE, "Park", "park"),
        (COMPANY_REFERENCE, "Enterprise", "company"),
        (AREA_REFERENCE, "Place", "area"),
    )
    for pattern, type_, kind in kinds:
        for match in pattern.finditer(text):
            start, end = offset + match.start(), offset + match.end()
            if context.taken(start, end):
                continue
            word = match.group()
            if kind == "park" and len(word) >= 3 and not word.startswith(("该", "本", "全")):
                # A bare 产业园 / 高新区 stands alone after a function word, not inside a phrase
                # (智能装备产业园项目 is a project's name, not a reference).
                before = text[match.start() - 1 : match.start()] if match.start() else ""
                if before and before not in '在于到入该本全其这那各从向与和及、，,。：:;；“”"( （':
                    continue
            if kind == "company" and match.group() in ("公司", "企业"):
                # 公司 / 企业 refer back only as a subject: at the start of a clause or before 负责人.
                before = text[max(0, match.start() - 1) : match.start()]
                after = text[match.end() : match.end() + 4]
                if not (before in ("", ",", "，", "。", "“", '"', ":") or _SUBJECT_CUE.match(after)):
                    continue
            context.add(type_, start, end, f"reference.{kind}", generic=True, detail=kind)
