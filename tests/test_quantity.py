"""Figures → numbers in base units, units and qualifiers (tests as data)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.quantity import find_quantities, format_base, format_quantity


@pytest.mark.parametrize(
    "text, value, unit, qualifier",
    [
        ("申请资金总额达1400余万元", "14000000", "CNY", "more_than"),
        ("我们去年营收是12.6个亿", "1260000000", "CNY", None),
        ("年产20GWh储能电池项目", "20000000", "kWh", None),
        ("储能电站容量达到500兆瓦时", "500000", "kWh", None),
        ("引才数量达1.47万人", "14700", "person", None),
        ("实现产值近500亿元", "50000000000", "CNY", "approximately"),
        ("同比增长23.9%", "23.9", "percent", None),
        ("引进高端人才超100名", "100", "person", "more_than"),
        ("技术合同交易额8亿元以上", "800000000", "CNY", "at_least"),
        ("累计新增复绿面积超3000亩", "3000", "mu", "more_than"),
        ("比上年同期提高2.3个百分点", "2.3", "percentage_point", None),
        ("年产8000吨高性能钕铁硼", "8000", "tonne", None),
        ("超过1万平方米的研发大楼", "10000", "m2", "more_than"),
        ("协议利用外资约１８亿美元", "1800000000", "USD", "approximately"),
        ("出口手机８６００万台", "86000000", "count", None),
        ("十二家企业", "12", "count", None),
        ("超过全市的三分之一", "33.33", "percent", "approximately"),
        ("占全省比重六成以上", "60", "percent", "at_least"),
        ("出货量同比翻番", "100", "percent", None),
        ("硬科技企业上百家", "100", "count", "more_than"),
        ("年产值30—50亿元", "3000000000", "CNY", "at_least"),
        ("年发电量1.2亿千瓦时", "120000000", "kWh", None),
        ("百分之十五", "15", "percent", None),
    ],
)
def test_quantity_reads_figures(text, value, unit, qualifier):
    found = list(find_quantities(text))
    assert len(found) == 1, found
    assert found[0].value == Decimal(value)
    assert found[0].unit == unit
    assert found[0].qualifier == qualifier
    assert found[0].surface in text


@pytest.mark.parametrize(
    "text",
    [
        "一家以人工智能为核心的企业",
        "沿江一公里范围内",
        "唯一一个改革试点",
        "七位一体",
        "“四个一”行动",
        "2023年",
        "8个月",
        "8.6代项目",
    ],
)
def test_quantity_ignores_words_that_are_not_figures(text):
    assert list(find_quantities(text)) == []


@pytest.mark.parametrize(
    "value, unit, text",
    [
        ("110000000000", "CNY", "1100亿元"),
        ("14000000", "CNY", "1400万元"),
        ("50000000000", "CNY", "500亿元"),
        ("46200000", "CNY", "4620万元"),
        ("1.4E+7", "CNY", "1400万元"),  # an exponent in the literal never reaches the reader
        ("1200000000000", "CNY", "1.2万亿元"),
        ("123456789", "CNY", "12345.6789万元"),  # 1.23456789亿 has too many decimals: one step down
        ("1234567891.5", "CNY", "1234567891.5元"),  # no step keeps it exact in four decimals
        ("-35000000", "CNY", "-3500万元"),
        ("1800000000", "USD", "18亿美元"),
        ("9999", "mu", "9999亩"),
        ("10000", "m2", "1万平方米"),
        ("300000", "kW", "30万千瓦"),
        ("120000000", "kWh", "1.2亿千瓦时"),
        ("14700", "person", "1.47万人"),
        ("0", "count", "0个"),
        ("23.9", "percent", "23.9%"),
        ("250000", "percent", "250000%"),  # shares are never scaled
        ("2.30", "percentage_point", "2.3个百分点"),
    ],
)
def test_quantity_formats_for_readers(value, unit, text):
    assert format_quantity(Decimal(value), unit) == text


@pytest.mark.parametrize(
    "value, unit, text",
    [
        ("14000000", "CNY", "14000000 CNY"),
        ("1.1E+11", "CNY", "110000000000 CNY"),
        ("23.90", "percent", "23.9 %"),
        ("3000", "mu", "3000 亩"),
        ("0.5", "km", "0.5 km"),
        ("42", "widget", "42 widget"),
    ],
)
def test_quantity_base_value_is_written_out(value, unit, text):
    assert format_base(Decimal(value), unit) == text


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("可实现每年30亿的销售额", "3000000000", "CNY"),
        ("预计实现50亿产值", "5000000000", "CNY"),
        ("一期项目300MW", "300000", "kW"),
    ],
)
def test_quantity_money_and_power_written_short(text, value, unit):
    found = list(find_quantities(text))
    assert [(q.value, q.unit) for q in found] == [(Decimal(value), unit)]
