"""``kg`` alone, ``kg --version`` and ``kg info``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kg
from kg.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's --version and --help
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv, code, stdout, stderr",
    [
        ([], 2, r"^$", r"^usage: kg .*COMMAND.*\n.*build .*info "),  # usage on stderr, like any mistake
        (["--version"], 0, rf"^kg {re.escape(kg.__version__)}\n$", r"^$"),
        (["info"], 0, r"^kg: +\d.*\npython: +3\.", r"^$"),
        (["nosuchcommand"], 2, r"^$", r"invalid choice"),
    ],
)
def test_cli_basics(capsys, argv, code, stdout, stderr):
    got, out, err = run(argv, capsys)
    assert got == code
    assert re.search(stdout, out, re.S), out
    assert re.search(stderr, err, re.S), err


def info(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    code, out, _ = run(["info"], capsys)
    assert code == 0
    return dict(line.split(":", 1) for line in out.splitlines())


@pytest.mark.parametrize("name", ["kg", "python", "rdflib", "pyoxigraph", "jieba", "rjieba", "segmenter", "dictionary"])
def test_info_names_versions_and_the_segmenter(capsys, name):
    assert info(capsys)[name].strip()


@pytest.mark.parametrize("name", ["ontology", "shapes", "queries", "seeds", "dictionary"])
def test_info_data_files_exist(capsys, name):
    path = Path(info(capsys)[name].strip().split(" + ")[0])
    assert path.exists(), path


@pytest.mark.parametrize("setting, segmenter, code", [("jieba", "jieba", 0), ("nonsense", None, 2)])
def test_info_says_which_segmenter(capsys, monkeypatch, setting, segmenter, code):
    monkeypatch.setenv("KG_SEGMENTER", setting)
    got, out, err = run(["info"], capsys)
    assert got == code
    if segmenter:
        assert re.search(rf"^segmenter: +{segmenter} \(KG_SEGMENTER={setting}\)$", out, re.M)
    else:
        assert "KG_SEGMENTER" in err
