"""From mentions to entities: canonical keys, aliases, generic references and IRIs.

Keys decide identity. A park's key drops the province before its city and folds long suffixes
to short ones (江西南昌高新区 and 南昌国家高新技术产业开发区 both → 南昌高新区), so the same
park gets the same node in every article; inside one article a name without a place
(钢城高新区) joins the one with its city (包头钢城高新区). Generic references (该区, 园区,
该公司) point at the article's main park or the nearest enterprise.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import quote

from .components import Work, component
from .lexicon import HAN, PARK_BODY_HEADS, PARK_SUFFIXES, counties, place_index, province_short
from .model import Article, Entity, EntityType, Mention

__all__ = [
    "normalize_name",
    "park_key",
    "place_key",
    "entity_key",
    "ArticleEntities",
    "resolve_article",
    "iri_slug",
    "IRI_SCHEME",
]

_QUOTES = re.compile(r"[《》“”\"‘’'「」『』\s]")


def normalize_name(name: str) -> str:
    """NFKC, no quotes, 《》 or spaces: the form names are compared in."""
    return _QUOTES.sub("", unicodedata.normalize("NFKC", name))


_COUNTY = re.compile(rf"[{HAN}]{{2,3}}?县(?![城域级委])")


def _split_places(name: str) -> tuple[list[str], str]:
    """Leading place names of ``name`` (full forms) and the rest: 江西南昌高新区 → ([江西省, 南昌市], 高新区)."""
    places = place_index()
    found: list[str] = []
    rest = name
    while True:
        for length in range(min(8, len(rest) - 1), 1, -1):
            head = rest[:length]
            if head in places:
                found.append(places[head][0])
                rest = rest[length:]
                break
        else:
            return found, rest


@lru_cache(maxsize=65536)
def park_kind(key: str) -> str:
    """The folded suffix of a park key: 南昌高新区 → 高新区; 杭州高新区(滨江) → 高新区."""
    bare = re.sub(r"\([^)]*\)$", "", key)
    for suffix in sorted(set(PARK_SUFFIXES.values()), key=len, reverse=True):
        if bare.endswith(suffix):
            return suffix
    return ""


def _without_province(name: str) -> str:
    """福建省厦门火炬高新区 → 厦门火炬高新区: a province before a city adds nothing to a park's name."""
    places, _ = _split_places(name)
    levels = place_index()
    if len(places) >= 2 and levels[places[0]][1] == "province" and levels[places[1]][1] == "city":
        for form in (places[0], province_short(places[0])):
            if name.startswith(form):
                return name[len(form) :]
    return name


@lru_cache(maxsize=65536)
def park_key(name: str) -> str:
    """The identity of a park name: city kept, province dropped, suffix folded, 国家 dropped."""
    name = normalize_name(name)
    bracket = re.search(r"\([^)]*\)$", name)
    tail = bracket.group() if bracket else ""
    name = name[: len(name) - len(tail)]
    # 中国(广东)自由贸易试验区… is keyed as 广东自贸区…
    name = re.sub(r"^中国\(([^)]+)\)", r"\1", name)
    for long, short in sorted(PARK_SUFFIXES.items(), key=lambda item: -len(item[0])):
        if long != short and long in name and not name.startswith(long):
            name = name.replace(long, short)
    places, rest = _split_places(name)
    levels = place_index()
    cities = [p for p in places if levels[p][1] == "city"]
    head = cities[0] if cities else (places[0] if places else "")
    rest = re.sub(r"^(?:国家级|国家)", "", rest)
    short = head[:-1] if head.endswith("市") and len(head) > 2 else province_short(head) if head else ""
    return (short + rest if rest else name) + tail


@lru_cache(maxsize=65536)
def place_key(name: str) -> tuple[str, str]:
    """A place's full name and level: 南昌 → (南昌市, city); 新北区 → (新北区, district)."""
    name = normalize_name(name)
    known = place_index().get(name) or place_index().get(name.rstrip("市省"))
    if known:
        return known
    return name, "district"


def _is_place_or_county(text: str) -> bool:
    """A province, city or county-level name (斗门区, 井陉县, 井陉) before a zone's own name."""
    return _is_place(text) or text in counties()


def _is_place(text: str) -> bool:
    """Whether ``text`` is one place name, short or full (包头, 包头市, 江西省)."""
    index = place_index()
    return bool(text) and (text in index or (text[:-1] in index and text[-1] in "省市区县"))


def place_short(full: str) -> str:
    """南昌市 → 南昌, 安徽省 → 安徽: the short spelling every Chinese reader uses too."""
    level = place_index().get(full, ("", ""))[1]
    if level == "province":
        return province_short(full)
    return full[:-1] if full.endswith("市") and len(full) > 2 else full


@lru_cache(maxsize=65536)
def park_places(name: str) -> tuple[str, ...]:
    """The provinces, cities and county a park's name starts with, full forms, outermost first.

    ``中国(广东)自由贸易试验区`` names its province in brackets.
    """
    name = normalize_name(name)
    bracketed = re.match(r"^中国\(([^)]+)\)", name)  # 中国(广东)自由贸易试验区
    if bracketed:
        inner = place_index().get(bracketed.group(1))
        return (inner[0],) if inner else ()
    leading, rest = _split_places(name)
    county = _COUNTY.match(rest)
    if county and len(rest) - county.end() >= 3:  # 涡阳县经济开发区: a county before the zone's own name
        leading = [*leading, county.group()]
    if leading:
        return tuple(leading)
    # 中新天津生态城: a city inside the name, when none leads it.
    for start in range(1, max(1, len(name) - 3)):
        places, _ = _split_places(name[start:])
        if places and place_index()[places[0]][1] in ("city", "province"):
            return tuple(places[:1])
    return ()


def entity_key(type_: EntityType, name: str) -> str:
    """The identity key of a non-person entity name (see the module docstring)."""
    if type_ == "Park":
        return park_key(name)
    if type_ == "Place":
        return place_key(name)[0]
    if type_ == "GovernmentBody":
        return _body_key(name)
    return normalize_name(name)


def _fold_body_head(name: str) -> str:
    return name.replace("管理委员会", "管委会").replace("人民政府", "政府")


def _body_key(name: str) -> str:
    name = _fold_body_head(normalize_name(name))
    for suffix in sorted(PARK_SUFFIXES, key=len, reverse=True):
        index = name.find(suffix)
        if index > 0:
            return park_key(name[: index + len(suffix)]) + name[index + len(suffix) :]
    places, rest = _split_places(name)
    if places:
        head = places[-1]
        short = head[:-1] if head.endswith(("市", "省")) and len(head) > 2 else province_short(head)
        rest = rest[1:] if rest.startswith(("市", "省")) and rest[1:2] in ("委", "政") else rest
        return short + ("市" if head.endswith("市") else "") + rest
    return name


def _policy_key(text: str, titles: list[str]) -> str:
    """A short title (《若干措施》) of a policy named in full in the same article is that policy
    (``titles``: the article's normalised policy titles, in text order)."""
    name = normalize_name(text)
    return next((other for other in titles if len(other) > len(name) and other.endswith(name)), name)


#: The version of the IRI scheme (how :func:`iri_slug` spells names). 1: every non-ASCII
#: character percent-encoded; 2: names in readable form (RFC 3987 IRIs). A store remembers the
#: scheme it was built with and refuses to mix them.
IRI_SCHEME = 2

# Characters a name keeps in its IRI: RFC 3987 ``iunreserved`` and ``sub-delims`` plus ":" and
# "@" (``ipchar``), i.e. ASCII letters, digits, ``-._~!$&'()*+,;=:@`` and ``ucschar``, less what
# Turtle and SPARQL readers trip on: "/" (a path separator here), "%" (kept only as an escape)
# and every space, separator, control, format, private-use or unassigned character.
_ASCII_KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")


def _iri_char(ch: str) -> str:
    """``ch`` as it stands in an IRI path segment: itself, or its UTF-8 bytes percent-encoded."""
    if ch in _ASCII_KEPT:
        return ch
    code = ord(ch)
    readable = (
        code >= 0xA0
        and not 0xFDD0 <= code <= 0xFDEF  # not ucschar (RFC 3987)
        and not 0xFFF0 <= code <= 0xFFFF
        and (code & 0xFFFF) < 0xFFFE
        and unicodedata.category(ch)[0] not in "CZ"
    )
    return ch if readable else quote(ch, safe="")


def iri_slug(*parts: str) -> str:
    """A deterministic, always-valid IRI path for a name: the normalised name in readable form.

    Several ``parts`` (an organisation and a post title) are joined by "/"; inside a part only
    what an IRI or a Turtle prefixed name cannot hold is percent-encoded (``/``, ``%``, spaces,
    ``<>"{}|\\^```, controls; see :func:`_iri_char`), so 南昌高新区 stays 南昌高新区, ``a/b``
    becomes ``a%2Fb`` and ``50%`` becomes ``50%25``. A final dot is written ``%2E`` (Turtle
    writers escape it in a prefixed name, and rdflib cannot read that back). A very long part
    keeps its first characters (never half an escape) plus a hash of the whole.
    """
    pieces = []
    for part in parts:
        text = normalize_name(part) if part else ""
        if not text:
            continue
        chars = [_iri_char(ch) for ch in text]
        slug = "".join(chars)
        if len(slug) > 120:
            head = ""
            for piece in chars:
                if len(head) + len(piece) > 80:
                    break
                head += piece
            slug = f"{head}-{hashlib.sha1(text.encode()).hexdigest()[:16]}"
        pieces.append(slug)
    slug = "/".join(pieces)
    if slug.endswith("."):
        slug = slug[:-1] + "%2E"
    return slug or hashlib.sha1("/".join(parts).encode()).hexdigest()[:16]


class ArticleEntities:
    """The entities of one article and the entity each mention stands for."""

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        self.of_mention: dict[Mention, str] = {}  # mentions compare by identity
        self.main_park: str | None = None
        #: Whether the main park leads the article (False in a work report naming many zones):
        #: only then do figures and companies named nowhere near a zone default to it.
        self.park_leads: bool = False
        self.city: list[tuple[int, str]] = []
        self.provinces: list[tuple[int, str]] = []

    @staticmethod
    def id_of(type_: EntityType, key: str) -> str:
        return f"{type_}:{key}"

    def add(self, mention: Mention, type_: EntityType, key: str, label: str, article: str) -> str:
        """Attach ``mention`` to the entity ``(type_, key)``, creating it on first sight."""
        ident = self.id_of(type_, key)
        entity = self.entities.get(ident)
        if entity is None:
            entity = Entity(type=type_, key=key, label=label)
            self.entities[ident] = entity
        entity.aliases.add(label)
        entity.articles.add(article)
        self.of_mention[mention] = ident
        return ident

    def get(self, mention: Mention) -> str | None:
        return self.of_mention.get(mention)


#: An article naming this many zones, none of them standing out, is about none of them.
MANY_PARKS = 4
#: … and a zone named this often (or twice, more than any other) leads an article though neither
#: headline nor opening names it.
LEADING_MENTIONS = 3


def _many_parks(weights: Counter[str]) -> bool:
    """Whether no zone leads the article: a work report or a roundup naming many zones, the
    most named of them (headline mentions count three times) under half of all mentions."""
    return len(weights) >= MANY_PARKS and max(weights.values()) * 2 < sum(weights.values())


@component("resolver", reads=("mentions",), adds=("entities",))
def resolve(work: Work) -> None:
    """The pipeline's resolver: the article's mentions grouped into entities."""
    assert work.article is not None
    work.entities = resolve_article(work.article, work.mentions)


def resolve_article(article: Article, mentions: list[Mention]) -> ArticleEntities:
    """Group an article's mentions into entities and resolve its generic references."""
    result = ArticleEntities()
    named = [m for m in mentions if not m.generic]
    surfaces: dict[str, Counter[str]] = {}

    # Parks: fold a name without place into the one with its city, inside this article.
    park_keys = {m.text: park_key(m.text) for m in named if m.type == "Park"}
    full_keys = set(park_keys.values())
    for text, key in list(park_keys.items()):
        for other in full_keys:
            if other != key and other.endswith(key) and _is_place_or_county(other[: len(other) - len(key)]):
                park_keys[text] = other
        if key.endswith("开发区") and not key.endswith("经开区"):
            # 镇江开发区 is the everyday name of the 镇江经济技术开发区 (or 高新区) the article names.
            head = key[: -len("开发区")]
            fuller = [other for other in full_keys if other in (head + "经开区", head + "高新区")]
            if len(fuller) == 1 and head:
                park_keys[text] = fuller[0]

    # A zone's name run into its sub-park's (某经开区竹行产业园) is the sub-park when the article
    # also names the sub-park on its own (竹行产业园): one zone, not two.
    alone = {m.text for m in named if m.type == "Park" and m.rule != "park.compound" and not m.refers_to}
    for mention in named:
        if mention.rule == "park.compound" and not mention.refers_to:
            zone = next(
                (m for m in named if m.type == "Park" and m.start == mention.start and m.end < mention.end), None
            )
            tail = mention.text[len(zone.text) :] if zone is not None else ""
            if tail in alone and park_kind(park_key(tail)).endswith("园"):
                mention.refers_to = tail

    # 以下简称 and core aliases: every later use of the short name is the full name.
    aliases_to = {(m.type, m.text): m.refers_to for m in named if m.refers_to}
    policy_titles = list(dict.fromkeys(normalize_name(m.text) for m in named if m.type == "Policy"))
    anchors: dict[int, list[Mention]] = {}  # start → the parks and places starting there
    for m in named:
        if m.type in ("Park", "Place"):
            anchors.setdefault(m.start, []).append(m)
    for mention in named:
        type_ = mention.type
        if type_ == "Person":
            continue
        referent = aliases_to.get((type_, mention.text))
        if type_ == "Park":
            key = park_keys.get(referent, park_key(referent)) if referent else park_keys[mention.text]
        elif referent:
            key = entity_key(type_, referent)
        elif type_ == "GovernmentBody" and mention.rule == "body.anchored":
            # The body of a park is keyed on that park's resolved key: 滨海新区政府 = 天津市滨海新区政府.
            anchor = next((m for m in anchors.get(mention.start, ()) if m.end < mention.end), None)
            anchor_key = park_keys.get(anchor.text) if anchor is not None and anchor.type == "Park" else None
            key = (
                anchor_key + _fold_body_head(normalize_name(mention.text[len(anchor.text) :]))
                if anchor_key and anchor
                else entity_key(type_, mention.text)
            )
        elif type_ == "Policy":
            key = _policy_key(mention.text, policy_titles)
        else:
            key = entity_key(type_, mention.text)
        ident = result.add(mention, type_, key, mention.text, article.key)
        surfaces.setdefault(ident, Counter())[mention.text] += 1
        if type_ == "Place":
            full, level = place_key(mention.text)
            result.entities[ident].aliases.add(place_short(full))
            result.entities[ident].place_level = mention.detail if mention.detail == "district" else level
            if level == "city":
                result.city.append((mention.start, full))
            elif level == "province":
                result.provinces.append((mention.start, full))
        elif type_ == "Park":
            for place in park_places(mention.text):
                level = place_index().get(place, ("", ""))[1]
                if level == "city":
                    result.city.append((mention.start, place))
                elif level == "province":
                    result.provinces.append((mention.start, place))

    # The main park: named most, headline mentions weighing three times.
    headline_sentences = set(range(article.headline_sentences))
    weights: Counter[str] = Counter()
    order: list[str] = []
    for mention in named:
        park = result.get(mention)
        if mention.type == "Park" and park:
            weights[park] += 3 if mention.sentence in headline_sentences else 1
            order.append(park)
    if weights:
        top = max(weights.values())
        result.main_park = result.entities[next(i for i in order if weights[i] == top)].key
        main = result.id_of("Park", result.main_park)
        early = {m.sentence for m in named if result.get(m) == main and m.sentence < article.headline_sentences + 2}
        # It leads when the headline or the opening names it, or the article keeps coming back to it.
        others = max((w for i, w in weights.items() if i != main), default=0)
        # A company story (某企业撤出某地) names one company more often than any zone: its zone
        # does not lead, whatever the headline says.
        companies: Counter[str] = Counter(
            result.get(m) or "" for m in named if m.type == "Enterprise" and result.get(m)
        )
        company_led = bool(companies) and max(companies.values()) > 2 * weights[main]
        result.park_leads = (
            not _many_parks(weights)
            and not company_led
            and (bool(early) or weights[main] >= LEADING_MENTIONS or (weights[main] >= 2 and weights[main] > others))
        )

    # Labels: the spelling used most, ties to the longest; enterprises keep the full legal name.
    for ident, counts in surfaces.items():
        entity = result.entities[ident]
        if entity.type == "Enterprise":
            entity.label = max(counts, key=lambda s: (len(s), counts[s]))
        else:
            entity.label = max(counts, key=lambda s: (counts[s], len(s)))
        if entity.type == "Park":
            entity.label = _without_province(entity.label)
            entity.aliases.add(entity.label)

    named_before = _NamedBefore(mentions)
    for mention in mentions:
        if mention.type == "Person":
            continue
        if mention.generic:
            _resolve_generic(mention, named_before, result, article)
    return result


class _NamedBefore:
    """The named parks and enterprises of an article, searched backwards from a position: a
    generic mention looks only a few sentences back, so a huge article costs no more per
    mention than a short one."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.of_type = {
            type_: sorted((m for m in mentions if m.type == type_ and not m.generic), key=lambda m: m.start)
            for type_ in ("Park", "Enterprise")
        }
        self.starts = {type_: [m.start for m in found] for type_, found in self.of_type.items()}

    def walk(self, type_: str, mention: Mention, sentences_back: int | None = None) -> Iterator[Mention]:
        """Named mentions of ``type_`` ending before ``mention``, nearest first, at most
        ``sentences_back`` sentences back (None: no limit)."""
        found = self.of_type[type_]
        for index in range(bisect.bisect_left(self.starts[type_], mention.start) - 1, -1, -1):
            m = found[index]
            if sentences_back is not None and mention.sentence - m.sentence > sentences_back:
                return
            if m.end <= mention.start:
                yield m


def _resolve_generic(mention: Mention, named: _NamedBefore, result: ArticleEntities, article: Article) -> None:
    """Point a generic mention (该区, 公司, 市委, 管委会, 科技局 …) at what it stands for."""
    kind = mention.detail
    if kind == "park":
        target = result.main_park
        # 园内 / 该区 in a sentence that has just named a zone mean that zone.
        same_sentence = [m for m in named.walk("Park", mention, 0) if m.sentence == mention.sentence and result.get(m)][
            ::-1
        ]
        if same_sentence:
            target = result.entities[result.get(same_sentence[0]) or ""].key
        bare = normalize_name(mention.text).lstrip("该本")
        sub_parks = [m for m in same_sentence if park_kind(result.entities[result.get(m) or ""].key).endswith("园")]
        if bare in ("园区", "园内", "园区内", "入园") and sub_parks:
            # 某经开区某产业园集聚企业50余家，园区龙头企业…: the 园 just named, not the zone around it.
            target = result.entities[result.get(sub_parks[-1]) or ""].key
        elif bare in ("园内", "园区内", "入园") and not same_sentence:
            # 园区内 / 入园企业 right after a sub-park is named means that sub-park.
            recent = next(
                (
                    m
                    for m in named.walk("Park", mention, 2)
                    if result.get(m) and park_kind(result.entities[result.get(m) or ""].key).endswith("园")
                ),
                None,
            )
            if recent is not None:
                target = result.entities[result.get(recent) or ""].key
        elif bare in PARK_SUFFIXES:
            # A bare 软件园 / 高新区 means the last park of that kind named before it.
            short = PARK_SUFFIXES[bare]
            earlier = next(
                (m for m in itertools.islice(named.walk("Park", mention), 50)
                 if result.get(m) and park_kind(result.entities[result.get(m) or ""].key) == short),
                None,
            )  # fmt: skip
            if earlier is not None:
                target = result.entities[result.get(earlier) or ""].key
        if target:
            result.of_mention[mention] = result.id_of("Park", target)
    elif kind == "company":
        companies = [m for m in named.walk("Enterprise", mention, 3) if m.detail != "example"]
        previous = companies[0] if companies else None
        if previous is not None:
            # 甲公司是由乙集团投资设立的…。公司的一期项目…: the company the last sentence opened on;
            # 甲公司为巨头乙、丙等配套，公司总投资…: the company this sentence opened on.
            start = article.sentences[previous.sentence].start
            opener = next((m for m in companies if m.sentence == previous.sentence and m.start == start), None)
            previous = opener or previous
        if previous is not None:
            target = result.get(previous)
            if target:
                result.of_mention[mention] = target
    elif mention.type == "GovernmentBody" and kind:
        owner = _body_owner(kind, mention, result)
        if owner:
            name = owner + (kind if kind != "department" else mention.text)
            ident = result.add(mention, "GovernmentBody", _body_key(name), name, article.key)
            entity = result.entities[ident]
            if kind == "department":
                entity.label = mention.text
            else:
                entity.label = name


def _body_owner(kind: str, mention: Mention, result: ArticleEntities) -> str | None:
    """The place or park a lone body belongs to: 市委 → the article's city, 管委会 → its park."""
    if kind.startswith("市"):
        cities = [city for start, city in result.city if start < mention.start] or [c for _, c in result.city]
        return cities[-1][:-1] if cities and cities[-1].endswith("市") else (cities[-1] if cities else None)
    if kind.startswith("省"):
        provinces = [p for start, p in result.provinces if start < mention.start] or [p for _, p in result.provinces]
        return province_short(provinces[-1]) if provinces else None
    if kind in PARK_BODY_HEADS and result.main_park:
        return result.entities[result.id_of("Park", result.main_park)].label
    if kind == "department":
        if result.main_park:
            return result.entities[result.id_of("Park", result.main_park)].label
        cities = [c for _, c in result.city]
        return cities[-1] if cities else None
    return None
