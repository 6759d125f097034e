"""Shared fixtures: the seed page, one Segmenter for the session, and its built graph."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_95dad0ac0dd1954b.txt"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def segmenter():
    from kg.segment import Segmenter

    return Segmenter()


@pytest.fixture(scope="session")
def seed_result(segmenter):
    from kg.builder import build_corpus

    return build_corpus([SEED], segmenter=segmenter)


@pytest.fixture(scope="session")
def seed_graph(seed_result):
    return seed_result.graph
