"""Progress on a terminal, silence elsewhere (kg.feedback and the commands that use it)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kg.cli import main
from kg.feedback import Feedback

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "valid_sample.ttl"


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "quiet", "shown"),
    [
        pytest.param(Terminal(), False, True, id="terminal"),
        pytest.param(Terminal(), True, False, id="terminal-quiet"),
        pytest.param(io.StringIO(), False, False, id="pipe-or-log"),
    ],
)
def test_stages_show_only_on_a_terminal(stream: io.StringIO, quiet: bool, shown: bool) -> None:
    feedback = Feedback.for_terminal(quiet=quiet, stream=stream)
    show = feedback.files()
    for done in range(1, 4):
        show(done, 3, f"f{done}.txt", articles=done * 2)
    with feedback.stage("HTML page"):
        pass
    with feedback.stage("SHACL check", total=5) as update:
        for done in range(1, 6):
            update(done)
    feedback.close()
    text = stream.getvalue()
    for words in ("read, extract, merge", "6 articles", "HTML page", "SHACL check", "5/5"):
        assert (words in text) is shown, text


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["validate", str(SAMPLE)], id="validate"),
        pytest.param(["build", str(ROOT / "seeds"), "--no-html"], id="build"),
    ],
)
def test_commands_print_no_progress_when_not_a_terminal(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if argv[0] == "build":
        argv = [*argv, "-o", str(tmp_path / "out")]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "conforms" in captured.out
    assert captured.err == ""
