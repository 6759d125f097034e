"""Chinese figures → numbers in base units, with their qualifier.

``find_quantities("申请资金总额达1400余万元")`` yields one :class:`Quantity` with value
14000000, unit ``CNY`` and qualifier ``more_than``. Chinese numerals are converted by
``cn2an``; magnitudes (万, 亿), units and qualifiers (余, 多, 超, 近, 以上 …) are the genre's
closed word classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

__all__ = [
    "Quantity",
    "find_quantities",
    "parse_number",
    "format_quantity",
    "format_base",
    "UNIT_WORDS",
    "UNIT_READING",
    "UNIT_SYMBOLS",
    "QUALIFIERS",
]

#: Unit word → (unit code, multiplier to the base unit).
UNIT_WORDS: dict[str, tuple[str, Decimal]] = {
    "元人民币": ("CNY", Decimal(1)),
    "元": ("CNY", Decimal(1)),
    "美元": ("USD", Decimal(1)),
    "吨": ("tonne", Decimal(1)),
    "平方公里": ("m2", Decimal(1_000_000)),
    "平方千米": ("m2", Decimal(1_000_000)),
    "平方米": ("m2", Decimal(1)),
    "平米": ("m2", Decimal(1)),
    "㎡": ("m2", Decimal(1)),
    "亩": ("mu", Decimal(1)),
    "公顷": ("hectare", Decimal(1)),
    "公里": ("km", Decimal(1)),
    "千米": ("km", Decimal(1)),
    "千瓦时": ("kWh", Decimal(1)),
    "兆瓦时": ("kWh", Decimal(1_000)),
    "吉瓦时": ("kWh", Decimal(1_000_000)),
    "GWh": ("kWh", Decimal(1_000_000)),
    "MWh": ("kWh", Decimal(1_000)),
    "kWh": ("kWh", Decimal(1)),
    "度电": ("kWh", Decimal(1)),
    "千瓦": ("kW", Decimal(1)),
    "兆瓦": ("kW", Decimal(1_000)),
    "吉瓦": ("kW", Decimal(1_000_000)),
    "kW": ("kW", Decimal(1)),
    "MW": ("kW", Decimal(1_000)),
    "GW": ("kW", Decimal(1_000_000)),
    "人次": ("person", Decimal(1)),
    "人": ("person", Decimal(1)),
    "名": ("person", Decimal(1)),
    "位": ("person", Decimal(1)),
    "家": ("count", Decimal(1)),
    "个": ("count", Decimal(1)),
    "项": ("count", Decimal(1)),
    "件": ("count", Decimal(1)),
    "辆": ("count", Decimal(1)),
    "片": ("count", Decimal(1)),
    "列": ("count", Decimal(1)),
    "条": ("count", Decimal(1)),
    "款": ("count", Decimal(1)),
    "轮": ("count", Decimal(1)),
    "艘": ("count", Decimal(1)),
    "架": ("count", Decimal(1)),
    "株": ("count", Decimal(1)),
    "台": ("count", Decimal(1)),
    "套": ("count", Decimal(1)),
    "座": ("count", Decimal(1)),
    "所": ("count", Decimal(1)),
    "大类": ("count", Decimal(1)),
    "小类": ("count", Decimal(1)),
    "大项": ("count", Decimal(1)),
    "个系列": ("count", Decimal(1)),
    "个品种": ("count", Decimal(1)),
    "%": ("percent", Decimal(1)),
    "个百分点": ("percentage_point", Decimal(1)),
    "百分点": ("percentage_point", Decimal(1)),
}

_MAGNITUDES: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12,
    "亿": Decimal(10) ** 8,
    "个亿": Decimal(10) ** 8,  # spoken: 营收是12.6个亿 (yuan)
    "万": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
    "百": Decimal(10) ** 2,
}

#: Qualifier words → qualifier code (ontology individual names in ``kg.graph``).
QUALIFIERS: dict[str, str] = {
    "超过": "more_than",
    "超": "more_than",
    "逾": "more_than",
    "突破": "more_than",
    "多于": "more_than",
    "余": "more_than",
    "多": "more_than",
    "以上": "at_least",
    "至少": "at_least",
    "不少于": "at_least",
    "不低于": "at_least",
    "近": "approximately",
    "将近": "approximately",
    "接近": "approximately",
    "约": "approximately",
    "大约": "approximately",
    "左右": "approximately",
    "不到": "less_than",
    "不足": "less_than",
    "低于": "less_than",
    "以内": "at_most",
    "以下": "at_most",
}

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CHINESE = r"[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?"
_UNIT = "|".join(sorted((re.escape(u) for u in UNIT_WORDS), key=len, reverse=True))
_PATTERN = re.compile(
    rf"(?P<pre>超过|将近|接近|大约|不到|不足|不少于|不低于|低于|多于|至少|突破|超|逾|近|约)?"
    rf"(?:(?P<low>{_ARABIC})(?P<lowmag>万亿|亿|万|千)?\s*(?:-|—|–|~|～|至|到)\s*)?"
    rf"(?P<num>百分之{_CHINESE}|百分之{_ARABIC}|{_ARABIC}|{_CHINESE})"
    rf"\s*(?P<more1>余|多)?(?P<mag>万亿|个亿|亿|万|千)?(?P<more2>余|多)?"
    rf"(?P<unit>{_UNIT})?"
    rf"(?P<post>以上|左右|以内|以下)?"
)
#: What follows an amount of money written without 元 (70亿的销售额, 50亿建设 …).
_MONEY_AFTER = re.compile(r"的?(?:销售额|销售收入|营业收入|营收|产值|税收|利税|投资|资金|元)")
_ARABIC_START = re.compile(r"[\d百]")
_DIGIT_PAIR = re.compile(r"[一二两三四五六七八九]{2}")
_NOT_A_UNIT_AFTER = re.compile(r"^(?:[年月日号代届期批次轮]|个月|多月|余年)")

#: Shares written in words: 三分之一, 四成, 一半, and 翻番 (a doubling, +100%).
_SHARE = re.compile(
    r"(?P<pre>超过|将近|接近|大约|不到|不足|超|逾|近|约)?"
    r"(?:(?P<den>[一二三四五六七八九十百\d]+)分之(?P<num>[一二三四五六七八九十\d]+)"
    r"|(?P<tenths>[一二三四五六七八九]|\d)成(?!员|立|为|果|本|效|功|绩|都|交|型|熟|长|品)"
    r"|(?P<half>一半)|(?P<double>翻番|翻一番))"
    r"(?P<post>以上|左右|多)?"
)
_VAGUE = re.compile(r"(?P<word>上百|上千|上万|数十|数百|数千|几十|几百)(?P<unit>家|个|项|人|名|台|辆|亩|吨)")


#: The characters a match of ``_PATTERN`` / ``_SHARE`` can begin with.
_NUMERAL_CHARS = r"\d零〇一二两三四五六七八九十百千万亿"
_PATTERN_FIRST = re.compile(rf"[{_NUMERAL_CHARS}超将接大不低多至突逾近约]")
_SHARE_FIRST = re.compile(rf"[{_NUMERAL_CHARS}超将接大不逾近约翻]")


def _scan(pattern: re.Pattern[str], first: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, trying ``pattern`` only where ``first`` says a match can begin.

    Both patterns open with optional words, so the regex engine cannot skip ahead by itself;
    jumping from one possible first character to the next finds the same matches 2–3× faster.
    """
    position = 0
    while candidate := first.search(text, position):
        match = pattern.match(text, candidate.start())
        if match and match.end() > match.start():
            yield match
            position = match.end()
        else:
            position = candidate.start() + 1


@dataclass(frozen=True, slots=True)
class Quantity:
    """A figure found in text: value in base units, unit code, qualifier and where it stands."""

    value: Decimal
    unit: str
    qualifier: str | None
    surface: str
    start: int
    end: int
    is_range: bool = False


@lru_cache(maxsize=8192)
def parse_number(text: str) -> Decimal:
    """Arabic or Chinese numerals (with 万/亿 inside) → Decimal. Raises ValueError."""
    cleaned = text.replace(",", "").strip()
    if cleaned.startswith("百分之"):
        return parse_number(cleaned[3:])
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        pass
    import cn2an

    try:
        number = cn2an.cn2an(cleaned, "smart")
    except (ValueError, KeyError) as error:
        raise ValueError(f"not a number: {text!r}") from error
    return Decimal(str(number))


def _plain(value: Decimal) -> Decimal:
    """The same number without exponent or trailing zeros (1.4E+7 → 14000000, 2.50 → 2.5)."""
    return Decimal(format(value.normalize(), "f"))


def find_quantities(text: str, offset: int = 0) -> Iterator[Quantity]:
    """Every figure with a unit in ``text``, in text order; offsets are shifted by ``offset``."""
    found = [*_figures(text, offset), *_shares(text, offset)]
    found.sort(key=lambda q: q.start)
    last_end = -1
    for quantity in found:
        if quantity.start >= last_end:
            last_end = quantity.end
            yield quantity


def _shares(text: str, offset: int) -> Iterator[Quantity]:
    """三分之一 → 33.33 percent; 四成 → 40 percent; 一半 → 50 percent; 翻番 → 100 percent; 上百家 → 100."""
    for match in _scan(_SHARE, _SHARE_FIRST, text):
        if match.group("den"):
            try:
                value = parse_number(match.group("num")) / parse_number(match.group("den")) * 100
            except (ValueError, ArithmeticError):
                continue
            value = value.quantize(Decimal("0.01"))
        elif match.group("tenths"):
            value = parse_number(match.group("tenths")) * 10
        elif match.group("half"):
            value = Decimal(50)
        else:
            value = Decimal(100)
        qualifier = None
        for group in ("pre", "post"):
            if match.group(group):
                qualifier = QUALIFIERS[match.group(group)]
        if match.group("den") and qualifier is None:
            qualifier = "approximately"
        yield Quantity(_plain(value), "percent", qualifier, match.group(), offset + match.start(), offset + match.end())
    for match in _VAGUE.finditer(text):
        word = match.group("word")
        value = Decimal(
            {"上百": 100, "上千": 1000, "上万": 10000, "数十": 10, "几十": 10, "数百": 100, "几百": 100, "数千": 1000}[
                word
            ]
        )
        code, _ = UNIT_WORDS[match.group("unit")]
        yield Quantity(value, code, "more_than", match.group(), offset + match.start(), offset + match.end())


def _figures(text: str, offset: int) -> Iterator[Quantity]:
    for match in _scan(_PATTERN, _PATTERN_FIRST, text):
        number = match.group("num")
        unit_word = match.group("unit")
        if unit_word is None and match.group("mag") == "个亿":
            unit_word = "元"  # 12.6个亿 is said of money
        if unit_word is None and match.group("mag") in ("亿", "万亿") and _MONEY_AFTER.match(text, match.end()):
            unit_word = "元"  # 每年70亿的销售额, 投资50亿建设: an amount of money with 元 left out
        if unit_word is None:
            if not number.startswith("百分之"):
                continue
            unit_word = "%"
        chinese = not _ARABIC_START.match(number) or (number.startswith("百分之") and not number[3:4].isdigit())
        if chinese and not number.startswith("百分之"):
            # A lone 一 is an article ("一家企业", "一公里范围内"), not a figure; 唯一一个,
            # 七位一体 and 四个一 are words, not counts.
            if number == "一" and not match.group("mag"):
                continue
            before = text[max(0, match.start() - 1) : match.start()]
            after = text[match.end() : match.end() + 1]
            if before in ("唯", "第", "每", "之", "统", "万", "专") or after in "一二三四五六七八九十":
                continue
            if _DIGIT_PAIR.fullmatch(number):
                continue  # 两三个小时, 一一对应: a rough pair or a word, not a figure
            if number in ("万", "亿", "千", "百", "万亿"):
                continue
        if unit_word in ("个", "名", "位", "度电") and _NOT_A_UNIT_AFTER.match(text[match.end() :]):
            continue
        if unit_word == "个" and text[match.end() : match.end() + 3].startswith(("月", "百分点")):
            continue
        try:
            value = parse_number(number)
        except ValueError:
            continue
        magnitude = match.group("mag")
        if magnitude:
            value *= _MAGNITUDES[magnitude]
        code, factor = UNIT_WORDS["%" if number.startswith("百分之") else unit_word]
        value *= factor
        qualifier = None
        for group in ("pre", "more1", "more2", "post"):
            word = match.group(group)
            if word:
                qualifier = QUALIFIERS[word]
        is_range = False
        if match.group("low"):
            is_range = True
            qualifier = qualifier or "at_least"
            low = parse_number(match.group("low"))
            low_magnitude = match.group("lowmag") or magnitude
            if low_magnitude:
                low *= _MAGNITUDES[low_magnitude]
            value = low * factor
        surface_start = match.start("low") if match.group("low") else match.start("num")
        if match.group("pre"):
            surface_start = match.start("pre")
        yield Quantity(
            value=_plain(value),
            unit=code,
            qualifier=qualifier,
            surface=text[surface_start : match.end()],
            start=offset + surface_start,
            end=offset + match.end(),
            is_range=is_range,
        )


#: Unit code → the word a Chinese reader writes after the number (format_quantity).
UNIT_READING: dict[str, str] = {
    "CNY": "元",
    "USD": "美元",
    "tonne": "吨",
    "m2": "平方米",
    "mu": "亩",
    "hectare": "公顷",
    "km": "公里",
    "kWh": "千瓦时",
    "kW": "千瓦",
    "person": "人",
    "count": "个",
    "percent": "%",
    "percentage_point": "个百分点",
}
#: Unit code → its symbol next to a base value (format_base): 14000000 CNY, 3000 亩.
UNIT_SYMBOLS: dict[str, str] = {
    "CNY": "CNY",
    "USD": "USD",
    "tonne": "t",
    "m2": "m²",
    "mu": "亩",
    "hectare": "ha",
    "km": "km",
    "kWh": "kWh",
    "kW": "kW",
    "person": "人",
    "count": "个",
    "percent": "%",
    "percentage_point": "个百分点",
}
#: 万亿, 亿, 万: the magnitudes a reader scales a large figure to, largest first.
_READING_MAGNITUDES = ((Decimal(10) ** 12, "万亿"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))


def format_quantity(value: Decimal, unit: str) -> str:
    """A figure as a Chinese reader writes it: 110000000000 CNY → 1100亿元; 23.9 percent → 23.9%.

    The number is scaled to the largest of 万亿, 亿, 万 that leaves at most four decimals, so
    the text stays exact (123456789 元 → 12345.6789万元); shares and unknown units are not scaled.
    Used where a figure has no surface text of its own, and in metric labels.
    """
    word = UNIT_READING.get(unit, unit)
    number = _plain(value)
    if unit not in ("percent", "percentage_point"):
        for size, prefix in _READING_MAGNITUDES:
            scaled = _plain(number / size)
            if abs(number) >= size and -scaled.as_tuple().exponent <= 4:  # type: ignore[operator]
                return f"{scaled}{prefix}{word}"
    return f"{number}{word}"


def format_base(value: Decimal, unit: str) -> str:
    """The figure in base units as stored, never in powers of ten: 14000000 CNY, 23.9 %, 3000 亩."""
    return f"{_plain(value)} {UNIT_SYMBOLS.get(unit, unit)}"
