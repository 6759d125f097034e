"""The component pipeline: the order is checked at start-up, the list matches docs/architecture.md,
and running every component gives what extract_document and the fact builder give."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.components import COMPONENTS, Component, Work, check_order, component
from kg.errors import KGError, PipelineError
from kg.extract.base import FINDERS
from kg.pipeline import FINDER_ORDER, PIPELINE, components, extract_document, run_file

ROOT = Path(__file__).resolve().parent.parent
TEXT = """鑫拓科技落户青川高新区

本报讯 记者 王晓

青川高新区管委会主任陈立新介绍，鑫拓科技有限公司总投资12亿元的新材料项目落户青川高新区。
2023年，青川高新区实现工业产值520亿元，同比增长12.5%。
"""


def _step(work: Work) -> None:
    return None


def _registry(*specs: tuple[str, tuple[str, ...], tuple[str, ...], bool]) -> dict[str, Component]:
    return {name: Component(name, reads, adds, _step, optional=optional) for name, reads, adds, optional in specs}


FAKE = _registry(
    ("reader", ("path",), ("text",), False),
    ("finder", ("text",), ("spans",), False),
    ("resolver", ("spans",), ("entities",), False),
    ("extra", ("entities",), ("spans",), True),
)


def test_pipeline_default_order_is_valid() -> None:
    assert [c.name for c in components()] == list(PIPELINE)
    assert {c.stage for c in components("extract")} == {"extract"}


@pytest.mark.parametrize(
    "names, message",
    [
        (("reader", "finder", "resolver", "resolver"), "listed twice"),
        (("reader", "finder", "resolver", "tokenizer"), "'tokenizer' is not registered"),
        (("reader", "resolver"), "missing from the pipeline: finder"),
        (
            ("reader", "resolver", "finder"),
            "'resolver' reads spans, which no component before it adds; move it after 'finder'",
        ),
        (("finder", "reader", "resolver"), "'finder' reads text"),
    ],
)
def test_pipeline_bad_order_is_an_error(names: tuple[str, ...], message: str) -> None:
    with pytest.raises(PipelineError, match=re.escape(message)):
        check_order(names, registry=FAKE)


def test_pipeline_optional_components_may_be_left_out_or_listed() -> None:
    assert [c.name for c in check_order(("reader", "finder", "resolver"), registry=FAKE)] == [
        "reader",
        "finder",
        "resolver",
    ]
    assert len(check_order(("reader", "finder", "resolver", "extra"), registry=FAKE)) == 4


def test_pipeline_a_read_nobody_adds_names_no_move() -> None:
    registry = FAKE | _registry(("orphan", ("weather",), ("x",), False))
    with pytest.raises(PipelineError, match="no component adds it"):
        check_order(("reader", "finder", "resolver", "orphan"), registry=registry)


@pytest.mark.parametrize(
    "swap",
    [("aliases", "resolver"), ("segmenter", "policy"), ("relations", "relation.hosts"), ("named", "resolver")],
)
def test_pipeline_real_components_misordered_is_an_error(swap: tuple[str, str]) -> None:
    names = list(PIPELINE)
    i, j = names.index(swap[0]), names.index(swap[1])
    names[i], names[j] = names[j], names[i]
    with pytest.raises(KGError):
        check_order(names)


def test_pipeline_a_finder_left_out_is_an_error() -> None:
    """A registered finder missing from the list no longer goes silently unused."""
    with pytest.raises(PipelineError, match="missing from the pipeline: reference"):
        check_order(tuple(name for name in PIPELINE if name != "reference"))


def test_pipeline_a_name_registered_twice_is_an_error() -> None:
    with pytest.raises(PipelineError, match="registered already"):
        component("resolver", reads=("mentions",), adds=("entities",))(_step)


def test_pipeline_finders_are_components_in_their_order() -> None:
    assert FINDER_ORDER == (
        "policy",
        "enterprise.full",
        "person",
        "person.bracketed",
        "person.speaker",
        "park",
        "place",
        "body",
        "enterprise.short",
        "ner.full-name",
        "reference",
    )
    assert {name for name, _ in FINDERS} == set(FINDER_ORDER) | {"ner.org", "ner.person"}
    assert COMPONENTS["ner.org"].optional and COMPONENTS["ner.person"].optional
    assert all(COMPONENTS[name].adds == ("spans",) for name in FINDER_ORDER)


def _documented() -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| (\w+) \| ([^|]*) \| ([^|]*) \|", text, flags=re.M)

    def names(cell: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in cell.split(",") if part.strip())

    return [(name, stage, names(reads), names(adds)) for name, stage, reads, adds in rows]


def test_pipeline_documented_components_match_the_registry() -> None:
    registered = [(c.name, c.stage, c.reads, c.adds) for c in components()]
    assert _documented() == registered


def test_pipeline_run_file_gives_the_facts_of_extract_document(tmp_path: Path, segmenter) -> None:
    from kg.corpus import read_document
    from kg.graph import GraphBuilder

    path = tmp_path / "news.txt"
    path.write_text(TEXT, encoding="utf-8")
    received: list = []
    run_file(str(path), received.append, segmenter=segmenter)
    builder = GraphBuilder()
    expected = [builder.facts(x) for x in extract_document(read_document(str(path)), segmenter=segmenter)]
    assert len(received) == len(expected) == 1
    assert received[0].entity_nt == expected[0].entity_nt and received[0].article_nt == expected[0].article_nt
    assert "鑫拓科技有限公司" in received[0].entity_nt
