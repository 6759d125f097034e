"""Relations between resolved entities: hosts, issues, partOf, locatedIn and holdsPost.

Each rule reads one sentence (or, with lower confidence, the whole article) and records the
span it matched as :class:`~kg.model.Evidence`, so every fact can be traced to its words.
What each rule id means for a reader, and whether it infers the link rather than reading it
in the sentence, is the table in :mod:`kg.extract.rules`: a new rule gets a row there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from ..components import Work, component
from ..lexicon import HAN, PARK_BODY_HEADS, POST_TITLES, place_index
from ..model import Article, Entity, Evidence, Mention, Relation
from ..resolve import ArticleEntities, normalize_name, park_places, place_short
from .base import CUSTOMER_BEFORE, opens_sentence
from .enterprises import enterprise_core
from .policies import ISSUE_VERBS

__all__ = ["CONFIDENCE", "MAX_EVIDENCE"]


#: What follows a zone named as the venue of an event (…仪式在某园区举行).
_VENUE = re.compile(r"[^,，。;；]{0,12}?(?:隆重)?(?:举行|召开|举办|开幕|闭幕)")
#: The gap between two items of one list: 、 with no word that places one in the other.
_SIBLINGS = re.compile(
    r"(?:(?!在|落户|入驻|位于|进驻|内|里)[^,，;；。])*、(?:(?!在|落户|入驻|位于|进驻|内|里)[^,，;；。])*"
)
_ITEM_END = re.compile(r"[^,，;；。、]{0,6}、")
_AT = re.compile(r"在[^,，。;；在]{0,16}$")
_NOT_HOSTED = re.compile(r"客户|供应商|合作伙伴|合作协议|竞争对手|同行|对标|学习|考察|参观|供应|销往|发往|出口到|采购")
#: … and before a supplier that sits in the zone (园内企业就近配套，其中某公司一家就为…供应).
_SUPPLIER = re.compile(r"(?:区|园|城)内企业[^;；。]*$")
_APPLIED_ONLY = re.compile(
    r"申报|满足|符合|享受|落实|争取|用好|对接|兑现|根据|按照|依据|贯彻|执行|获得|解读|宣讲|宣传|学习|介绍了"
)
_ISSUE_VERB = re.compile(ISSUE_VERBS + "|建立")


#: How sure each rule is: what one sentence states beats what the article implies, and a name
#: that holds another (南京江北新区研创园) or a post written before a name is surest.
CONFIDENCE: dict[str, float] = {
    "hosts.same-sentence": 0.85,
    "hosts.park-named-after": 0.7,
    "hosts.article-park": 0.6,
    "issues.verb": 0.9,
    "issues.body-title": 0.85,
    "issues.sentence-topic": 0.7,
    "partOf.name-contains": 0.9,
    "partOf.adjacent": 0.9,
    "partOf.owner-in-sentence": 0.7,
    "partOf.article-rank": 0.6,
    "locatedIn.stated": 0.9,
    "locatedIn.name-prefix": 0.9,
    "holdsPost.title-before-name": 0.9,
}

#: At most this many pieces of evidence are kept per fact.
MAX_EVIDENCE = 3


def _evidence(article: Article, first: Mention, second: Mention, rule: str) -> Evidence:
    return Evidence(
        article=article.key,
        sentence=first.sentence,
        start=min(first.start, second.start),
        end=max(first.end, second.end),
        rule=rule,
        confidence=CONFIDENCE[rule],
    )


# The rules as pipeline components: each adds candidate relations; "relations" keeps the best.


@component("named", reads=("entities",), adds=("named",))
def index_named(work: Work) -> None:
    """The mentions that name an entity (or a person), by sentence: what the rules read."""
    assert work.entities is not None
    by_sentence: dict[int, list[Mention]] = defaultdict(list)
    for mention in work.mentions:
        if work.entities.get(mention) or mention.type == "Person":
            by_sentence[mention.sentence].append(mention)
    work.named = by_sentence


@component("relation.hosts", reads=("named",), adds=("candidates",))
def hosts(work: Work) -> None:
    """Zones and the enterprises in them."""
    assert work.article is not None and work.entities is not None
    work.candidates += _hosts(work.article, work.named, work.entities)


@component("relation.issues", reads=("named",), adds=("candidates",))
def issues(work: Work) -> None:
    """Zones and bodies and the policies they issue."""
    assert work.article is not None and work.entities is not None
    work.candidates += _issues(work.article, work.named, work.entities)


@component("relation.partOf", reads=("named",), adds=("candidates",))
def part_of(work: Work) -> None:
    """Zones inside zones."""
    assert work.article is not None and work.entities is not None
    work.candidates += _part_of(work.article, work.named, work.entities)


@component("relation.locatedIn", reads=("named",), adds=("candidates", "places"))
def located_in(work: Work) -> None:
    """Where zones lie; adds the places read out of zones' names as entities."""
    assert work.article is not None and work.entities is not None
    work.candidates += _located_in(work.article, work.mentions, work.entities)


@component("relation.holdsPost", reads=("named",), adds=("candidates", "people"))
def holds_post(work: Work) -> None:
    """People and their posts; adds the people as entities."""
    assert work.article is not None and work.entities is not None
    work.candidates += _posts(work.article, work.named, work.entities)


@component("relations", reads=("candidates",), adds=("relations",))
def keep_best(work: Work) -> None:
    """The candidates, at most :data:`MAX_EVIDENCE` pieces of evidence per fact."""
    work.relations = _dedupe(work.candidates)


def _dedupe(relations: list[Relation]) -> list[Relation]:
    """At most three pieces of evidence per fact, the surest first, never two for one span."""
    kept: dict[tuple[str, str, str, str | None], list[Relation]] = {}
    for relation in sorted(relations, key=lambda r: -r.evidence.confidence):
        if relation.subject == relation.object:
            continue
        same = kept.setdefault((relation.subject, relation.predicate, relation.object, relation.post), [])
        spans = {(r.evidence.start, r.evidence.end) for r in same}
        if len(same) < MAX_EVIDENCE and (relation.evidence.start, relation.evidence.end) not in spans:
            same.append(relation)
    return [relation for group in kept.values() for relation in group]


def _sentence_text(article: Article, index: int) -> tuple[str, int]:
    sentence = article.sentences[index]
    return sentence.norm, sentence.start


def _without_names(text: str, offset: int, mentions: list[Mention]) -> str:
    """The sentence with every name blanked, so cue words inside names (某供应链公司) do not count."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted((max(0, m.start - offset), min(len(text), m.end - offset)) for m in mentions):
        start = max(start, position)
        if end > start:
            pieces += (text[position:start], " " * (end - start))
            position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _hosts(article: Article, by_sentence: dict[int, list[Mention]], ents: ArticleEntities) -> list[Relation]:
    relations: list[Relation] = []
    hosted: set[str] = set()
    blanked: dict[int, str] = {}

    def names_blanked(index: int) -> str:
        if index not in blanked:
            raw, offset = _sentence_text(article, index)
            blanked[index] = _without_names(raw, offset, [m for m in by_sentence[index] if not m.generic])
        return blanked[index]

    for index, mentions in by_sentence.items():
        enterprises = [m for m in mentions if m.type == "Enterprise" and not m.generic]
        if not enterprises:
            continue
        raw, offset = _sentence_text(article, index)
        text = names_blanked(index)
        for enterprise in enterprises:
            company = ents.get(enterprise)
            # Only zones in the same clause (up to ; or 。) place the enterprise.
            clause = _clause_span(text, offset, enterprise)
            parks = [m for m in mentions if m.type == "Park" and clause[0] <= m.start and m.end <= clause[1]]
            if not parks or company is None:
                continue
            if _elsewhere(raw, offset, enterprise, ents, parks):
                continue
            before = [p for p in parks if p.end <= enterprise.start]
            after = sorted((p for p in parks if p.start >= enterprise.end), key=lambda p: (p.generic, p.start))
            # The zone named last before it, the longest if several end there (三江新区智能终端产业园);
            # else the first named one after it (某公司某项目（九龙片区）).
            # When a customer or supplier stands between it and that zone (园区内的甲为它供应原料，乙今年也
            # 在园区…), the zone named after it in its clause.
            candidates = ([max(before, key=lambda p: (p.end, p.end - p.start))] if before else []) + after[:1]
            park = next((p for p in candidates if not _NOT_HOSTED.search(_between(text, offset, p, enterprise))), None)
            if park is None:
                continue
            lo, hi = (
                sorted((park.end, enterprise.start)) if park.end <= enterprise.start else (enterprise.end, park.start)
            )
            listed = raw[park.start - offset - 1 : park.start - offset] == "、" or _ITEM_END.match(
                raw, park.end - offset
            )
            if not park.generic and listed and _SIBLINGS.fullmatch(raw, max(0, lo - offset), max(0, hi - offset)):
                continue  # 甲研发中心项目、某产业园三期项目、乙…: items of one list, not a zone and its company
            relations.append(
                Relation(
                    ents.get(park) or "", "hosts", company, _evidence(article, park, enterprise, "hosts.same-sentence")
                )
            )
            hosted.add(company)
    if ents.main_park:
        # An enterprise named where no zone is: the zone its paragraph spoke of last, else the
        # article's own zone.
        main = ents.id_of("Park", ents.main_park)
        current, paragraph = main, -1
        for index, mentions in sorted(by_sentence.items()):
            if article.sentences[index].paragraph != paragraph:
                # In a report naming many zones, a paragraph that names none speaks of none.
                current, paragraph = main if ents.park_leads else "", article.sentences[index].paragraph
            for mention in sorted(mentions, key=lambda m: m.start):
                ident = ents.get(mention)
                if mention.type == "Park" and not mention.generic and ident and index >= article.headline_sentences:
                    text, offset = _sentence_text(article, index)
                    # Where no zone leads the article, a zone named as a verb's object (完善某产业园
                    # 基础设施) does not become the place of the companies that follow.
                    listed = text[mention.start - offset - 1 : mention.start - offset] == "、" or _ITEM_END.match(
                        text, mention.end - offset
                    )
                    if listed or (
                        _VENUE.match(text, mention.end - offset) and _AT.search(text, 0, mention.start - offset)
                    ):
                        continue  # 奠基仪式在某工业园举行: where an event was held, not where the companies are
                    # Where no zone leads the article, only a zone that opens its sentence (在某高新区，…;
                    # 某高新区…) becomes the place of the paragraph's companies, not one named in passing.
                    current = ident if ents.park_leads or opens_sentence(text, offset, mention) else ""
                if mention.type != "Enterprise" or mention.generic or ident is None or ident in hosted:
                    continue
                blank, local = names_blanked(index), mention.start - article.sentences[index].start
                if _NOT_HOSTED.search(blank) and not _SUPPLIER.search(blank, 0, local):
                    continue
                if CUSTOMER_BEFORE.search(blank, 0, local):
                    continue  # 产品主要为某汽车公司配套: a customer, wherever it is
                hosted.add(ident)
                relations.append(
                    Relation(current, "hosts", ident, _evidence(article, mention, mention, "hosts.article-park"))
                )
    relations += _named_after(article, by_sentence, ents)
    return [r for r in relations if r.subject]


def _between(text: str, offset: int, first: Mention, second: Mention) -> str:
    """The text between two mentions of one sentence, whichever comes first."""
    lo, hi = sorted((first.end, second.start)) if first.end <= second.start else (second.end, first.start)
    return text[max(0, lo - offset) : max(0, hi - offset)]


def _named_after(article: Article, by_sentence: dict[int, list[Mention]], ents: ArticleEntities) -> list[Relation]:
    """A zone named after a company of the article hosts it: 某电气工业园 → 某电气, 某集团产业园."""
    companies = [(ident, e) for ident, e in ents.entities.items() if e.type == "Enterprise"]
    relations: list[Relation] = []
    seen: set[tuple[str, str]] = set()
    for _, mentions in sorted(by_sentence.items()):
        for park in mentions:
            ident = ents.get(park)
            if park.type != "Park" or park.generic or not ident:
                continue
            own_name = _without_leading_places(park.text)
            for company_id, company in companies:
                heads = {
                    name for name in (company.label, *company.aliases, enterprise_core(company.label)) if len(name) >= 2
                }
                if not any(own_name.startswith(head) and len(own_name) > len(head) for head in heads):
                    continue
                if (ident, company_id) in seen:
                    continue
                seen.add((ident, company_id))
                evidence = _evidence(article, park, park, "hosts.park-named-after")
                relations.append(Relation(ident, "hosts", company_id, evidence))
    return relations


def _without_leading_places(name: str) -> str:
    """A zone's name without the places it starts with: 斗门区某工业园 → 某工业园."""
    index = place_index()
    changed = True
    while changed:
        changed = False
        for length in (5, 4, 3, 2):
            head = name[:length]
            if head in index or (head[:-1] in index and head[-1] in "省市区县"):
                name, changed = name[length:], True
                break
    return name


def _clause_span(text: str, offset: int, mention: Mention) -> tuple[int, int]:
    """Absolute bounds of the ;-clause holding ``mention``."""
    local = mention.start - offset
    start = max((m.end() for m in re.finditer(r"[;；]", text[:local])), default=0)
    stop = re.search(r"[;；]", text[mention.end - offset :])
    end = mention.end - offset + stop.start() if stop else len(text)
    return offset + start, offset + end


#: A city and 的 right before a company (武汉的某公司, 武汉市的某公司), within this many characters.
_CITY_WINDOW = 6
_CITY_BEFORE = re.compile(rf"([{HAN}]{{2,4}}?)(?:市)?的$")


def _elsewhere(text: str, offset: int, enterprise: Mention, ents: ArticleEntities, parks: list[Mention]) -> bool:
    """武汉的某公司 in a story about a 宜昌 park: a city named right before it that none of the
    zones lies in places the enterprise elsewhere."""
    before = text[max(0, enterprise.start - offset - _CITY_WINDOW) : enterprise.start - offset]
    found = _CITY_BEFORE.search(before)
    if not found:
        return False
    city = place_index().get(found.group(1))
    if not city or city[1] != "city":
        return False
    zone_places = {place for p in parks if ents.get(p) for place in park_places(ents.entities[ents.get(p) or ""].label)}
    return bool(zone_places) and city[0] not in zone_places


def _issues(article: Article, by_sentence: dict[int, list[Mention]], ents: ArticleEntities) -> list[Relation]:
    relations: list[Relation] = []
    for index, all_mentions in by_sentence.items():
        text, offset = _sentence_text(article, index)
        # The organisations in a speaker's posts (大庆市委常委、…赵明远介绍) are not actors here.
        chains = [(p.start - len(p.detail or ""), p.start) for p in all_mentions if p.type == "Person"]
        mentions = [m for m in all_mentions if not any(a <= m.start and m.end <= b for a, b in chains)]
        for policy in (m for m in mentions if m.type == "Policy"):
            target = ents.get(policy)
            if target is None:
                continue
            head = text[: policy.start - offset]
            direct = _issuers_before_title(text, offset, policy, mentions, ents) or _owner_before_plan(
                text, offset, policy, mentions, ents
            )
            if direct:
                for issuer in direct:
                    relations.append(
                        Relation(
                            ents.get(issuer) or "",
                            "issues",
                            target,
                            _evidence(article, issuer, policy, "issues.body-title"),
                        )
                    )
                continue
            verbs = list(_ISSUE_VERB.finditer(head))
            if not verbs:
                continue
            verb = verbs[-1]
            verb_at = offset + verb.start()
            between = text[verb.end() : policy.start - offset]
            if _APPLIED_ONLY.search(between) or re.search(r"[。;；]", between):
                continue
            clause_start = offset + max(
                (c.end() for c in re.finditer(r"[,，;；:：。]", head[: verb.start()])), default=0
            )
            issuers = [
                m
                for m in mentions
                if m.type in ("Park", "GovernmentBody")
                and m.end <= verb_at
                and ents.get(m)
                and not _APPLIED_ONLY.search(text[m.end - offset : verb.start()])
                and (
                    m.start >= clause_start
                    or (
                        not any(
                            o.type in ("Park", "GovernmentBody") and o.start >= clause_start and o.end <= verb_at
                            for o in mentions
                        )
                        and not re.search(r"[,，;；:：]", text[m.end - offset : verb.start()])
                    )
                )
            ]
            if not issuers:
                topic = _sentence_topic(text, offset, mentions, ents)
                if (
                    topic is None
                    or topic.end > verb_at
                    or _APPLIED_ONLY.search(text[verb.start() : policy.start - offset])
                    or _ISSUE_VERB.search(text[topic.end - offset : verb.start()])  # it issued something else
                ):
                    continue
                relations.append(
                    Relation(
                        ents.get(topic) or "",
                        "issues",
                        target,
                        _evidence(article, topic, policy, "issues.sentence-topic"),
                    )
                )
                continue
            # Outermost mention wins (南昌高新区党工委 over the 南昌高新区 inside it).
            last = max(issuers, key=lambda m: (m.end, m.end - m.start))
            chosen = [last]
            for other in reversed(issuers):
                if other is last or other.end > chosen[-1].start:
                    continue
                gap = text[other.end - offset : chosen[-1].start - offset]
                if gap in ("、", "和", "与", "及", "会同", "联合") and other.type in ("Park", "GovernmentBody"):
                    chosen.append(other)
            for issuer in chosen:
                evidence = _evidence(article, issuer, policy, "issues.verb")
                relations.append(Relation(ents.get(issuer) or "", "issues", target, evidence))
    return relations


def _sentence_topic(text: str, offset: int, mentions: list[Mention], ents: ArticleEntities) -> Mention | None:
    """A park or body that opens the sentence or its second clause (近年来，该区…): the actor
    of the clauses that follow without a subject of their own."""
    clauses = [0, *[m.end() for m in re.finditer(r"[,，]", text)][:1]]
    for clause in clauses:
        lead = [
            m for m in mentions if m.type in ("Park", "GovernmentBody") and ents.get(m) and m.start - offset == clause
        ]
        if lead:
            return max(lead, key=lambda m: m.end - m.start)
    return None


def _owner_before_plan(
    text: str, offset: int, policy: Mention, mentions: list[Mention], ents: ArticleEntities
) -> list[Mention]:
    """A park written right before its plan, as its owner: 某高新区“二次创业计划”, 某开发区的某方案."""
    if policy.rule == "policy.title":
        return []
    return [
        m
        for m in mentions
        if m.type == "Park"
        and not m.generic
        and ents.get(m)
        and m.end <= policy.start
        and text[m.end - offset : policy.start - offset] in ("", "“", "的")
    ]


def _issuers_before_title(
    text: str, offset: int, policy: Mention, mentions: list[Mention], ents: ArticleEntities
) -> list[Mention]:
    """Bodies written right before a title: 四川省委、省政府《…》, 市政府印发的《…》."""
    bodies = sorted(
        (m for m in mentions if m.type == "GovernmentBody" and ents.get(m) and m.end <= policy.start),
        key=lambda m: m.end,
    )
    chosen: list[Mention] = []
    edge = policy.start - 1  # the 《 before the title
    for body in reversed(bodies):
        gap = text[body.end - offset : edge - offset]
        if (chosen and gap in ("、", "和", "与", "及")) or (
            not chosen and re.fullmatch(rf"(?:(?:{ISSUE_VERBS})的?)?", gap)
        ):
            chosen.append(body)
            edge = body.start
        elif chosen or body.end < edge:
            break
    return chosen


def _park_kind(entity: Entity) -> str:
    return _kind_of_key(entity.key)


@lru_cache(maxsize=65536)
def _kind_of_key(key: str) -> str:
    """The short kind of the longest zone suffix whose kind ends ``key`` (brackets dropped)."""
    from ..lexicon import PARK_SUFFIXES

    bare = _TRAILING_BRACKET.sub("", key)
    for suffix in sorted(PARK_SUFFIXES, key=len, reverse=True):
        if bare.endswith(PARK_SUFFIXES[suffix]):
            return PARK_SUFFIXES[suffix]
    return ""


_TRAILING_BRACKET = re.compile(r"\([^)]*\)$")


def _part_of(article: Article, by_sentence: dict[int, list[Mention]], ents: ArticleEntities) -> list[Relation]:
    """Zones inside zones: by name (南京江北新区研创园 ⊂ 南京江北新区), by adjacency
    (某火炬高新区青禾高新城), and by rank within the article (an 产业园 in a 高新区 story)."""
    from ..lexicon import park_rank

    relations: list[Relation] = []
    linked: set[str] = set()
    for index, mentions in by_sentence.items():
        text, offset = _sentence_text(article, index)
        parks = sorted((m for m in mentions if m.type == "Park" and not m.generic), key=lambda m: (m.start, -m.end))
        for outer in parks:
            for inner in parks:
                if inner is outer:
                    continue
                child, parent = ents.get(inner), ents.get(outer)
                if not child or not parent or child == parent:
                    continue
                if inner.start == outer.start and inner.end > outer.end:
                    rule = "partOf.name-contains"  # inner's name holds outer's
                elif inner.start == outer.end or text[outer.end - offset : inner.start - offset] in (
                    "内",
                    "的",
                    "内的",
                    "所属",
                    "旗下",
                ):
                    if inner.start < outer.end:
                        continue
                    rule = "partOf.adjacent"
                else:
                    continue
                relations.append(Relation(child, "partOf", parent, _evidence(article, outer, inner, rule)))
                linked.add(child)
    parks_here: dict[str, Mention] = {}
    for _, mentions in sorted(by_sentence.items()):
        for mention in mentions:
            ident = ents.get(mention)
            if mention.type == "Park" and not mention.generic and ident and ident not in parks_here:
                parks_here[ident] = mention
    if not ents.main_park or len(parks_here) < 2:
        return relations
    main = ents.id_of("Park", ents.main_park)
    rank = {ident: park_rank(_park_kind(ents.entities[ident])) for ident in parks_here}
    order = list(parks_here)
    # Zones run by one administration (一套班子、两块牌子) are two names, neither inside the other.
    shared = {
        ents.get(m)
        for index, mentions in by_sentence.items()
        if _SHARED_ADMINISTRATION.search(_sentence_text(article, index)[0])
        for m in mentions
        if m.type == "Park" and not m.generic
    }
    for ident, mention in parks_here.items():
        if ident in linked:
            continue
        higher = [
            other for other in order if other != ident and rank[other] < rank[ident] and not {ident, other} <= shared
        ]
        # A zone named earlier in the same sentence (柳州高新区则…，其河西片区) wins; then the
        # article's own zone when it ranks above; else the closest rank above, first named.
        text, offset = _sentence_text(article, mention.sentence)
        possessive = text[: mention.start - offset].endswith("其")  # 柳州高新区则…，其河西片区: 其 names the owner
        before = [
            other
            for m in by_sentence.get(mention.sentence, [])
            if m.type == "Park"
            and not m.generic
            and m.end <= mention.start
            and (other := ents.get(m))
            and other != ident
            and rank[other] <= rank[ident]
            and (other in higher or possessive)
            and (possessive or not _CLAUSE_MARK.search(text, m.end - offset, mention.start - offset))
        ]
        if not before and not higher:
            continue
        closest = max(rank[other] for other in higher) if higher else None
        candidates = [other for other in higher if rank[other] == closest]
        parent = before[-1] if before else main if main in higher else candidates[0]
        if ident != main or len(candidates) == 1 or before:
            rule = "partOf.owner-in-sentence" if before else "partOf.article-rank"
            relations.append(Relation(ident, "partOf", parent, _evidence(article, mention, mention, rule)))
            linked.add(ident)
    return relations


_CLAUSE_MARK = re.compile(r"[,，;；。]")
_SHARED_ADMINISTRATION = re.compile(r"一套班子|两块牌子|合署办公|区政合一|政区合一|两区合一|一体化管理")
_STATED = re.compile(r"位于|地处|坐落于|坐落在")
#: Between 位于X and the park it places: 的, 境内的, 东北部的, 南郊的.
_PLACE_TO_PARK = re.compile(r"(?:境内|[东南西北中]{1,2}部|[东南西北]郊|近郊|城区|中心城区[东南西北]{0,2}部?)?的")


def _located_in(article: Article, mentions: list[Mention], ents: ArticleEntities) -> list[Relation]:
    """Where a park lies: as the text states it (位于赣县区的…, …位于沙坪坝区), else as its
    name says (南昌高新区 → 南昌市). A stated place is the more specific one and wins."""
    relations: list[Relation] = []
    stated: set[str] = set()
    for index, sentence in enumerate(article.sentences):
        if not _STATED.search(sentence.norm):
            continue
        here = [m for m in mentions if m.sentence == index]
        places = [m for m in here if m.type == "Place" and ents.get(m)]
        parks = [m for m in here if m.type == "Park" and ents.get(m)]
        for place in places:
            verb = _STATED.search(sentence.norm, 0, place.start - sentence.start)
            if not verb:
                continue
            # 位于厦门市海沧区: the last of a run of places is the most specific.
            if any(o is not place and o.start == place.end for o in places):
                continue
            # 位于X的P (the park after) or P位于X (the park before).
            after = [
                p
                for p in parks
                if p.start >= place.end
                and _PLACE_TO_PARK.fullmatch(sentence.norm, place.end - sentence.start, p.start - sentence.start)
            ]
            before = [p for p in parks if p.end <= sentence.start + verb.start()]
            park = after[0] if after else (before[-1] if before else None)
            if park is None:
                continue
            ident = ents.get(park) or ""
            stated.add(ident)
            relations.append(
                Relation(ident, "locatedIn", ents.get(place) or "", _evidence(article, park, place, "locatedIn.stated"))
            )
    for mention in mentions:
        park_id = ents.get(mention)
        if mention.type != "Park" or mention.generic or not park_id or park_id in stated:
            continue
        names = park_places(mention.text)
        if not names:
            continue
        for name in names:
            ents.add(_PlaceMention(mention), "Place", name, name, article.key)
            entity = ents.entities[ents.id_of("Place", name)]
            entity.place_level = place_index().get(name, (name, "district"))[1]  # a county is not in the lexicon
            entity.aliases.add(place_short(name))
        evidence = _evidence(article, mention, mention, "locatedIn.name-prefix")
        relations.append(Relation(park_id, "locatedIn", ents.id_of("Place", names[-1]), evidence))
    return relations


class _PlaceMention(Mention):
    """A stand-in mention for a place read out of a park's name."""

    def __init__(self, park: Mention) -> None:
        super().__init__(
            type="Place",
            text=park.text,
            start=park.start,
            end=park.end,
            sentence=park.sentence,
            rule="place.in-park-name",
        )


def _posts(article: Article, by_sentence: dict[int, list[Mention]], ents: ArticleEntities) -> list[Relation]:
    relations: list[Relation] = []
    known: dict[str, str] = {}  # name → the person entity an earlier post made in this article
    for _, mentions in sorted(by_sentence.items()):
        for person in (m for m in mentions if m.type == "Person"):
            chain = person.detail or ""
            # The posts stand before the name (某区党工委书记黄志坚) or in brackets after it.
            chain_start = person.end + 1 if person.rule == "person.bracketed-posts" else person.start - len(chain)
            orgs = [
                m
                for m in mentions
                if m.type in ("Park", "GovernmentBody", "Enterprise")
                and ents.get(m)
                and chain_start <= m.start
                and m.end <= chain_start + len(chain)
            ]
            posts: list[tuple[str, Mention | None]] = []
            position = chain_start
            current: Mention | None = None
            for part in re.split(r"(、|兼)", chain):
                if part in ("、", "兼") or not part:
                    position += len(part)
                    continue
                part_start, part_end = position, position + len(part)
                position = part_end
                inside = [m for m in orgs if part_start <= m.start and m.end <= part_end]
                if inside:
                    # The outermost organisation in this part: the body, not the park inside it.
                    current = max(inside, key=lambda m: (m.end - m.start, -m.start))
                    title = chain[current.end - chain_start : part_end - chain_start]
                    # A post in a park's own 党工委 / 管委会 is a post of the park: 党工委副书记.
                    if current.type == "GovernmentBody" and (current.detail or "") in PARK_BODY_HEADS:
                        park = [m for m in inside if m.type == "Park" and m.start == current.start]
                        if not park and current.generic:
                            # A lone 管委会 after 某区党工委书记、: the park of the post before it.
                            park = [org for _, org in posts if org is not None and org.type == "Park"]
                            park = park[-1:] or [m for m in orgs if m.type == "Park"][-1:]
                        if park:
                            title = (current.detail or "") + title
                            current = park[0]
                else:
                    title = part
                title = title.strip()
                if current is None or not any(title.endswith(t) for t in POST_TITLES):
                    continue
                posts.append((title, current))
            name = person.text
            if not posts and normalize_name(name) in known:
                # 张三说 after 某公司总经理张三: the same person, not a namesake without a post.
                ents.of_mention[person] = known[normalize_name(name)]
                ents.entities[known[normalize_name(name)]].articles.add(article.key)
                continue
            first_org = ents.get(posts[0][1]) if posts and posts[0][1] else f"article:{article.key}"
            key = f"{normalize_name(name)}@{first_org}"
            person_id = ents.add(person, "Person", key, name, article.key)
            ents.entities[person_id].qualifier = first_org or ""
            known.setdefault(normalize_name(name), person_id)
            for title, org in posts:
                if org is None or not ents.get(org):
                    continue
                evidence = _evidence(article, org, person, "holdsPost.title-before-name")
                relations.append(Relation(person_id, "holdsPost", ents.get(org) or "", evidence, post=title))
    return relations
