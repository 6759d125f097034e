"""People: a name right after one or more posts (南昌高新区党工委副书记吴前进).

The posts before a name are read back to the previous boundary: each ``organisation + title``
pair separated by 、 is one post; a title with no organisation (公司负责人, 企业总经理) belongs
to the nearest enterprise, which the resolver fills in.
"""

from __future__ import annotations

import re
from functools import cache

from ..lexicon import POST_TITLES, SURNAMES
from .base import HAN, SentenceContext, register

__all__ = ["find_people", "split_posts"]

_AFTER_NAME = (
    "介绍",
    "说",
    "表示",
    "告诉",
    "指出",
    "认为",
    "透露",
    "坦言",
    "称",
    "强调",
    "谈到",
    "提到",
    "回忆",
    "感慨",
    "笑着",
    "一行",
    "等",
    "与",
    "和",
    "同",
    "在",
    "也",
    "就",
    "对",
    "为",
    "带领",
    "率",
    "陪同",
    "向",
    "主持",
    "出席",
    "参加",
    "讲话",
    "致辞",
    "解释",
    "分析",
    "算",
    "补充",
    "直言",
    "说道",
    "表态",
    "给",
    "正",
    "已",
    "则",
    "是",
    "的",
    "把",
    "将",
    "还",
    "都",
    "亲自",
    "当天",
    "这样",
    "深有",
    "信心",
    "看来",
    "到",
    "赴",
    "前往",
    "率队",
    "带队",
    "参加",
    "出席",
    "调研",
    "考察",
    "会见",
    "接受",
    "答",
    "回答",
    "坦率",
    "宣布",
    "部署",
    "要求",
    "提出",
    "希望",
    "寄语",
    "点评",
    "讲述",
    "说明",
    "举例",
    "评价",
    "展示",
    "演示",
    "解读",
    "作",
    "作为",
    "宣读",
    "通报",
    "汇报",
    "发言",
    "签约",
    "签署",
    "代表",
    "陪同",
    "带领",
    "详细",
    "现场",
    "一同",
    "先后",
    "走进",
    "来到",
    "深入",
    "看望",
    "慰问",
    "走访",
    "视察",
    "察看",
    "听取",
    "实地",
    "随后",
    "专程",
    "首先",
)


@cache
def _post_then_name() -> re.Pattern[str]:
    posts = "|".join(POST_TITLES)
    return re.compile(rf"(?:{posts})[ \u3000]?(?=[{HAN}]{{2,4}})")


_BOUNDARY = re.compile(r"[,，。;；:：、)(（）“”\"\s!?！？]|$")
_FOREIGN = re.compile(rf"[{HAN}]{{1,6}}·[{HAN}]{{1,8}}(?:·[{HAN}]{{1,8}})?")


def _name_at(text: str, position: int) -> str | None:
    """A 2–3 character personal name starting at ``position``, judged by what follows it;
    or a transliterated foreign name with a middle dot (托马斯·韦伯)."""
    foreign = _FOREIGN.match(text, position)
    if foreign:
        for word in sorted(_AFTER_NAME, key=len, reverse=True):
            # 托马斯·韦伯说: a speech verb glued to the name is not part of it.
            if foreign.group().endswith(word) and len(foreign.group()) - len(word) > foreign.group().index("·") + 1:
                return foreign.group()[: -len(word)]
        # 托马斯·韦伯说: the name ends where a boundary word begins.
        for end in range(foreign.end(), foreign.start() + foreign.group().index("·") + 1, -1):
            rest = text[end:]
            if not rest or re.match(r"[,，。;；:：、)(（）“”\"\s!?！？]", rest) or rest.startswith(_AFTER_NAME):
                return text[position:end]
        return foreign.group()
    for length in (4, 3, 2):
        name = text[position : position + length]
        if len(name) < length or not re.fullmatch(rf"[{HAN}]+", name):
            continue
        double = name[:2] in SURNAMES
        if not double and (name[:1] not in SURNAMES or length == 4):
            continue
        rest = text[position + length :]
        if (
            length == 3
            and not double
            and text[position + 2 :].startswith(_AFTER_NAME)
            and not (name[2] in "和与同" and _BOUNDARY.match(rest))
        ):
            continue  # 甲和乙: the third character begins what follows, unless the name ends there (孙永和。)
        if length == 4 and not double:
            continue
        if not rest or re.match(r"[,，。;；:：、)(（）“”\"\s!?！？]", rest) or rest.startswith(_AFTER_NAME):
            return name
    return None


@register("person")
def find_people(context: SentenceContext) -> None:
    """Names that follow a post title; the posts are kept in the mention's ``detail``."""
    text, offset = context.text, context.offset
    for match in _post_then_name().finditer(text):
        name = _name_at(text, match.end())
        if name is None or _common_word(context, name):
            continue  # 员工来说: a word of the dictionary, not a name
        # Prefer the longest post title ending here (副总经理 over 总经理).
        start, end = offset + match.end(), offset + match.end() + len(name)
        if context.taken(start, end):
            continue
        head = text[: match.end()]
        clause_start = max(head.rfind(ch) for ch in ',，。;；:：“”"') + 1
        context.add("Person", start, end, "person.after-post", detail=head[clause_start:])
        # 市领导甲、乙、丙出席: the names listed after the first hold the same posts.
        while text[end - offset : end - offset + 1] == "、":
            following = _name_at(text, end - offset + 1)
            if following is None or context.taken(end + 1, end + 1 + len(following)):
                break
            start, end = end + 1, end + 1 + len(following)
            context.add("Person", start, end, "person.after-post", detail=head[clause_start:])


#: A speaker named with no post: …的老职工|甲说, 工作了26年的乙说, 记者联系到丙。据他介绍.
_SPEAKER = re.compile(rf"(?:(?<=[的,，。;；:：“”\s])|^)([{HAN}]{{2,3}})(?=说|表示|介绍|告诉|坦言|透露|回忆|感慨)")


def _common_word(context: SentenceContext, name: str) -> bool:
    """Whether ``name`` is a dictionary word other than a personal name (来说, 记者)."""
    tag = context.segmenter.tag_table.get(name)
    return tag is not None and not tag.startswith("nr")


@register("person.speaker")
def find_speakers(context: SentenceContext) -> None:
    """A name right before a verb of saying, after 的 or a boundary (…的乙说): a person quoted."""
    text, offset = context.text, context.offset
    for match in _SPEAKER.finditer(text):
        name = _name_at(text, match.start(1))
        if name is None or name != match.group(1):
            continue
        if _common_word(context, name):
            continue  # 记者说, 有关人士: a common word, not a name
        start, end = offset + match.start(1), offset + match.end(1)
        if not context.taken(start, end):
            context.add("Person", start, end, "person.speaker")


_BRACKETED_POSTS = re.compile(r"\(([^()]{2,40})\)")
_BEFORE_NAME = re.compile(r"(?:^|[,，。;；:：、“”\"\s】\]>])$")


@register("person.bracketed")
def find_people_with_posts_after(context: SentenceContext) -> None:
    """Names followed by their posts in brackets, as transcripts and interviews write them:
    陆海滨(某高新区管委会副主任): …"""
    text, offset = context.text, context.offset
    for bracket in _BRACKETED_POSTS.finditer(text):
        chain = bracket.group(1)
        if not chain.endswith(POST_TITLES):
            continue
        for length in (4, 3, 2):
            start = bracket.start() - length
            if (
                start < 0
                or not _BEFORE_NAME.search(text[:start])
                or _name_at(text, start) != text[start : bracket.start()]
            ):
                continue
            if not context.taken(offset + start, offset + bracket.start()):
                context.add("Person", offset + start, offset + bracket.start(), "person.bracketed-posts", detail=chain)
            break


def split_posts(chain: str) -> list[str]:
    """``新北区委书记、常州国家高新区党工委副书记`` → the two posts, each with its organisation."""
    return [part for part in re.split(r"[、,，和及兼]", chain) if part]
