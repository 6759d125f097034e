"""The seed corpus ships inside the package, so ``kg build`` with no input runs in any folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.builder import default_inputs
from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PACKAGED = ROOT / "kg" / "_data" / "seeds"


@pytest.mark.parametrize("name", sorted({path.name for path in (*SEEDS.iterdir(), *PACKAGED.iterdir())}))
def test_packaged_seeds_are_the_seeds(name):
    """seeds/ (the design card's folder) and kg/_data/seeds/ (what pip installs, a link to it in the
    repository, so there is one copy to edit) hold the same bytes."""
    assert (SEEDS / name).read_bytes() == (PACKAGED / name).read_bytes()


@pytest.mark.parametrize(
    "has_seeds_folder, expected",
    [
        (True, Path("seeds")),  # a checkout, or a folder with seeds of its own
        (False, PACKAGED),  # anywhere else: the corpus installed with kg
    ],
)
def test_default_inputs(tmp_path, monkeypatch, has_seeds_folder, expected):
    if has_seeds_folder:
        (tmp_path / "seeds").mkdir()
    monkeypatch.chdir(tmp_path)
    assert [path.resolve() for path in default_inputs()] == [expected.resolve()]


def test_build_without_input_runs_in_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--no-html"]) == 0
    turtle = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    assert "park:南昌高新区 " in turtle
