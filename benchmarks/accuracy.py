"""Accuracy of every gold set in one table: the real development articles first, then our own.

    python benchmarks/accuracy.py            # ../shared/realdev (when present) and tests/gold*
    python benchmarks/accuracy.py --json     # the same as JSON

Entities and relations are F1 on each file's annotated scope; "metric R" is metric recall.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from kg.evaluate import evaluate, format_sets, report_json

ROOT = Path(__file__).resolve().parent.parent


def gold_sets() -> list[Path]:
    """The real development set (outside the repository, for measuring only) and tests/gold*."""
    real = ROOT.parent / "shared" / "realdev"
    ours = sorted(p for p in (ROOT / "tests").glob("gold*") if p.is_dir())
    return ([real] if real.is_dir() else []) + ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args()
    started = time.perf_counter()
    reports = {folder.name: evaluate(folder) for folder in gold_sets()}
    if args.json:
        print(json.dumps({name: report_json(r) for name, r in reports.items()}, ensure_ascii=False, indent=2))
    else:
        print(format_sets(reports))
        print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
