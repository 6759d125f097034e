"""The statistical name recognizer (kg/extract/ner.py): the shipped model, offsets, lazy loading,
the finders' filters; every sentence here is written for these tests."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.extract import FINDERS, ner
from kg.extract.base import SentenceContext
from kg.model import Sentence
from kg.pipeline import FINDER_ORDER
from kg.segment import default_segmenter

ROOT = Path(__file__).resolve().parent.parent


def _context(text: str, offset: int = 0) -> SentenceContext:
    sentence = Sentence(index=0, start=offset, end=offset + len(text), text=text, norm=text)
    return SentenceContext(sentence=sentence, segmenter=default_segmenter())


def _run(text: str, names: tuple[str, ...], offset: int = 0) -> SentenceContext:
    finders = dict(FINDERS)
    context = _context(text, offset)
    for name in names:
        finders[name](context)
    return context


RULES = tuple(name for name in FINDER_ORDER if not name.startswith("ner."))


# --- the shipped model ------------------------------------------------------------------------


def test_shipped_model_matches_the_training_script() -> None:
    """The model file is there, small, and was trained with the features this code computes; the
    training script declares the same feature version (it imports it)."""
    assert ner.MODEL_PATH.is_file()
    size = ner.MODEL_PATH.stat().st_size
    assert size < 3_000_000
    info = json.loads(ner.MODEL_INFO_PATH.read_text(encoding="utf-8"))
    assert info["feature_version"] == ner.FEATURE_VERSION == ner.model_version()
    assert info["size_bytes"] == size
    assert "CLUENER" in info["corpus"] and info["licence"]
    spec = importlib.util.spec_from_file_location("train_ner", ROOT / "scripts" / "train_ner.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.FEATURE_VERSION == ner.FEATURE_VERSION
    assert script.MODEL_PATH == ner.MODEL_PATH


def test_a_model_of_another_feature_version_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "ner.crfsuite"
    model.write_bytes(ner.MODEL_PATH.read_bytes())
    model.with_suffix(".json").write_text(json.dumps({"feature_version": ner.FEATURE_VERSION + 1}), encoding="utf-8")
    with pytest.raises(RuntimeError, match="feature version"):
        ner.NerTagger(model).spans("园区引进了一家企业。", default_segmenter())


def test_the_model_loads_lazily() -> None:
    """Importing kg, and building the pipeline, reads no model and imports no pycrfsuite."""
    code = (
        "import sys, kg, kg.pipeline\n"
        "from kg.extract import ner\n"
        "assert 'pycrfsuite' not in sys.modules\n"
        "assert not ner.default_tagger().loaded\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)
    tagger = ner.NerTagger()
    assert not tagger.loaded
    tagger.spans("签约仪式在园区举行。", default_segmenter())
    assert tagger.loaded


# --- spans and offsets -------------------------------------------------------------------------

SPANS = [
    # sentence, names the model must propose, label
    ("阿里巴巴、百度等企业在开发区设立区域总部。", ("阿里巴巴", "百度"), "ORG"),
    ("项目由中粮集团牵头投资建设。", ("中粮集团",), "ORG"),
    ("当天，李明远在签约仪式上介绍了项目进展。", ("李明远",), "PER"),
    ("记者从管委会获悉，赵丽华带领团队完成了技术攻关。", ("赵丽华",), "PER"),
]


@pytest.mark.parametrize(("text", "names", "label"), SPANS)
def test_model_spans(text: str, names: tuple[str, ...], label: str) -> None:
    spans = ner.default_tagger().spans(text, default_segmenter())
    found = {text[start:end] for start, end, kind, _ in spans if kind == label}
    assert set(names) <= found
    for start, end, _, confidence in spans:
        assert 0 <= start < end <= len(text) and 0.0 < confidence <= 1.0


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["O", "B-ORG", "I-ORG", "O"], [(1, 3, "ORG")]),
        (["B-PER", "I-PER", "B-PER", "I-PER"], [(0, 2, "PER"), (2, 4, "PER")]),
        (["I-ORG", "I-ORG", "O", "B-PER"], [(0, 2, "ORG"), (3, 4, "PER")]),
        (["B-ORG", "I-PER"], [(0, 1, "ORG"), (1, 2, "PER")]),
        (["O", "O"], []),
    ],
)
def test_bio_spans(labels: list[str], expected: list[tuple[int, int, str]]) -> None:
    assert list(ner.bio_spans(labels)) == expected


def test_features_one_row_per_character() -> None:
    text = "ABC公司2025年在园区投资1.5亿元，张三说：好。"
    rows = ner.sentence_features(text, default_segmenter())
    assert len(rows) == len(text)
    assert all(row[0] == "c=" + char for row, char in zip(rows, text, strict=True))


# --- the finders ---------------------------------------------------------------------------------


def test_full_name_cut_short_by_the_rules_is_extended() -> None:
    """The rules stop at a word that may be a verb (建设); the model reads the whole name."""
    text = "项目由振华建设长江智能装备有限公司承建。"
    before = [m.text for m in _run(text, RULES).mentions if m.type == "Enterprise"]
    assert before == ["长江智能装备有限公司"]
    context = _run(text, (*RULES, "ner.full-name"), offset=100)
    (mention,) = [m for m in context.mentions if m.type == "Enterprise"]
    assert mention.text == "振华建设长江智能装备有限公司"
    assert (mention.start, mention.end) == (103, 117)  # absolute offsets
    assert text[mention.start - 100 : mention.end - 100] == mention.text


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("落户园区的德国独资企业华茂精密机械有限公司新增投资。", "德国独资企业"),
        ("园区的星海和长江精密机械有限公司签约。", "星海和"),
        ("他说，长江精密机械有限公司已投产。", "他说，"),
    ],
)
def test_full_name_is_not_extended_over_other_words(text: str, prefix: str) -> None:
    """A kind of company, a conjunction or punctuation before the name is never taken into it."""
    context = _context(text)
    name_start = text.index(prefix) + len(prefix)
    name_end = text.index("有限公司") + 4
    mention = context.add("Enterprise", name_start, name_end, "enterprise.legal-suffix")
    assert not ner._extend_full_name(context, text.index(prefix), name_end)
    assert (mention.start, mention.end) == (name_start, name_end)


@pytest.mark.parametrize(
    ("name", "company"),
    [
        ("阿里巴巴", True),
        ("开关", False),
        ("星海微", True),
        ("公司", False),
        ("龙头企业", False),
        ("锦江高新区", False),
        ("新材料", False),
        ("变压器", False),
        ("星海律师事务所", False),
        ("星海华东基地", False),
        ("星海研究院", False),
        ("区管委会", False),
    ],
)
def test_what_may_be_a_company(name: str, company: bool) -> None:
    assert ner._is_company(name, _context(name)) is company


def test_model_people_and_companies_become_mentions() -> None:
    """The optional finders (not in FINDER_ORDER by default) add the model's names that no rule
    found, typed by our rules, with absolute offsets."""
    text = "记者从管委会获悉，赵丽华带领团队完成了技术攻关，阿里巴巴、百度等企业在开发区设立区域总部。"
    context = _run(text, (*RULES, "ner.org", "ner.person"), offset=40)
    found = {(m.type, m.text, m.rule) for m in context.mentions if m.rule.startswith("ner.")}
    assert ("Person", "赵丽华", "ner.person") in found
    assert ("Enterprise", "阿里巴巴", "ner.org") in found
    for m in context.mentions:
        assert text[m.start - 40 : m.end - 40] == m.text


def test_sentences_without_a_cue_are_not_tagged() -> None:
    assert ner._sentence_spans(_context("今天天气晴朗，气温适宜。")) == []


def test_default_order_runs_only_the_boundary_finder() -> None:
    assert "ner.full-name" in FINDER_ORDER
    assert "ner.org" not in FINDER_ORDER and "ner.person" not in FINDER_ORDER
    assert {"ner.full-name", "ner.org", "ner.person"} <= dict(FINDERS).keys()
