"""The segmenter: jieba is the reference; rjieba, when installed, must give the same words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.errors import UsageError
from kg.segment import Segmenter

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = sorted([*ROOT.glob("seeds/*.txt"), *ROOT.glob("tests/gold*/*.txt")])

rjieba = pytest.importorskip("rjieba", reason="rjieba (pip install 'kg[fast]') is not installed")


@pytest.fixture(scope="module")
def reference() -> Segmenter:
    return Segmenter(backend="jieba")


@pytest.fixture(scope="module")
def fast() -> Segmenter:
    return Segmenter(backend="rjieba")


def _windows(text: str) -> set[str]:
    """What kg cuts most: up to 16 characters before a zone, company or bureau suffix."""
    found = set()
    for sentence in re.split(r"[。！？；\n]", text):
        for match in re.finditer(r"区|园|公司|局|集团", sentence):
            for size in range(1, 17):
                if match.start() >= size:
                    found.add(sentence[match.start() - size : match.start()])
    return found


def test_segment_backends_cut_every_test_article_alike(reference, fast):
    assert len(ARTICLES) > 50
    differ = [
        path.name
        for path in ARTICLES
        if reference.cut(path.read_text(encoding="utf-8")) != fast.cut(path.read_text(encoding="utf-8"))
    ]
    assert differ == []


def test_segment_backends_cut_the_windows_before_names_alike(reference, fast):
    windows = sorted(set().union(*(_windows(path.read_text(encoding="utf-8")) for path in ARTICLES)))
    assert len(windows) > 5_000
    differ = [window for window in windows if reference.cut(window) != fast.cut(window)]
    assert differ == []


@pytest.mark.parametrize(
    "text",
    [
        "2021-12-29签约",  # jieba's HMM step splits dates at the dashes; jieba-rs keeps them whole
        "第1-3季度营业收入12.5%",
        "2.Hoffmann GmbH落户",
        "C++与C#工程师",
        "㮾梨街道(扩展A区汉字)与䶮字",  # rare CJK characters: jieba cuts them one by one
        "和开㐂㐍㐈㐍.",  # jieba-rs would keep the run of extension-A characters whole
        "  两个空格\r\n换行\t制表",
        "沙时风导",  # a tie between two cuts: broken the same way only when the totals agree
        "公科科科区",  # a tie inside the HMM step: jieba's own HMM step decides
        "丙科乙科乙园公",
        "南昌高新区管委会主任",
        "",
    ],
)
def test_segment_backends_agree_on_the_known_differences(reference, fast, text):
    assert fast.cut(text) == reference.cut(text)
    assert fast.tag(text) == reference.tag(text)


def test_segment_tags_domain_words_with_their_own_part_of_speech(fast):
    tags = dict(fast.tag("高新区管委会"))
    assert tags.get("高新区") == "n"
    assert fast.tag_table["管委会"] == "nt"


def test_segment_unknown_backend_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("KG_SEGMENTER", "thulac")
    with pytest.raises(UsageError, match="thulac"):
        Segmenter()


def test_segment_environment_forces_the_reference(monkeypatch):
    monkeypatch.setenv("KG_SEGMENTER", "jieba")
    assert Segmenter().backend == "jieba"
    monkeypatch.delenv("KG_SEGMENTER")
    assert Segmenter().backend == "rjieba"
