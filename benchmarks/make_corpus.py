"""Make a large benchmark corpus from the real articles, with the names varied.

Every synthetic file is one of the source files (``seeds/*.txt`` and ``tests/gold/*.txt``) with
its names swapped, consistently within the file:

- each city is replaced by another city of the lexicon (full and short forms alike), so parks
  named after cities change too but stay within the finite set a real corpus has;
- the distinctive core of each company name (the part ``enterprise_core`` keeps, e.g. 珉轩 of
  江西珉轩智能科技有限公司) becomes a random two- or three-character brand, so full and short
  names change together and the number of enterprises grows with the corpus;
- each person's name becomes a random surname and given name.

The graph of the corpus therefore grows like a real one instead of collapsing into the few
dozen entities of the sources. Generation is seeded, so the same arguments give the same files.

    python benchmarks/make_corpus.py 1000 benchmarks/results/corpus-1000
"""

from __future__ import annotations

import argparse
import glob
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Characters that look like brand names in company names (no place names among them).
_BRAND = "瑞恒鑫宏博泰华中兴创达信诚德联盛航科元通天正凯丰禾嘉盈远腾智睿源晟越锐新汇力光合众星辰云海峰翔昊琪宸隆旭晨峻澜岚铂钧弘骏琨璟"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏浩宇轩博文俊凯子晨思雨欣悦嘉佳琳瑶"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛"


@dataclass
class Source:
    """One source file, the names in it, and how many articles it splits into."""

    path: Path
    text: str
    articles: int
    cities: list[str]  # full city names found (any spelling)
    cores: list[str]  # enterprise name cores
    people: list[str]


def source_files(root: Path = ROOT) -> list[Path]:
    """``seeds/*.txt`` and ``tests/gold/*.txt`` under ``root``."""
    return [Path(p) for p in sorted(glob.glob(str(root / "seeds" / "*.txt")) + glob.glob(str(root / "tests" / "gold" / "*.txt")))]


def analyse(paths: list[Path]) -> list[Source]:
    """Run kg once over the sources to find the names worth varying."""
    from kg.corpus import read_document
    from kg.extract.enterprises import enterprise_core
    from kg.lexicon import CITIES, city_short, place_index
    from kg.pipeline import extract_document
    from kg.segment import Segmenter

    segmenter = Segmenter()
    index = place_index()
    sources = []
    for path in paths:
        document = read_document(path)
        cores: set[str] = set()
        people: set[str] = set()
        for extraction in extract_document(document, segmenter=segmenter):
            for entity in extraction.entities.values():
                names = {entity.label, *entity.aliases}
                if entity.type == "Enterprise":
                    cores |= {c for c in (enterprise_core(n) for n in names) if len(c) >= 2 and c not in index}
                elif entity.type == "Person":
                    people |= {n for n in names if 2 <= len(n) <= 4}
        cities = sorted({full for full in CITIES if full in document.text or city_short(full) in document.text})
        sources.append(Source(path, document.text, len(document.articles), cities, sorted(cores), sorted(people)))
    return sources


def vary(source: Source, rng: random.Random) -> str:
    """``source.text`` with its cities, company cores and people renamed at random."""
    from kg.lexicon import CITIES, city_short

    mapping: dict[str, str] = {}
    for city in source.cities:
        other = rng.choice(CITIES)
        mapping.setdefault(city, other)
        mapping.setdefault(city_short(city), city_short(other))
    for core in source.cores:
        mapping.setdefault(core, "".join(rng.choice(_BRAND) for _ in range(rng.choice((2, 2, 3)))))
    for person in source.people:
        mapping.setdefault(person, rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(len(person) - 1)))
    if not mapping:
        return source.text
    pattern = re.compile("|".join(re.escape(name) for name in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda match: mapping[match.group()], source.text)


def make_corpus(articles: int, folder: str | Path, *, seed: int = 7, sources: list[Source] | None = None) -> tuple[int, int, int]:
    """Write files holding at least ``articles`` articles into ``folder``.

    Returns ``(files, articles, characters)``. Files are spread over sub-folders of 500.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sources = sources if sources is not None else analyse(source_files())
    rng = random.Random(seed)
    written = made = characters = 0
    seen: set[str] = set()
    while made < articles:
        source = rng.choice(sources)
        text = vary(source, rng)
        if text in seen:
            continue
        seen.add(text)
        target = folder / f"{written // 500:03d}" / f"{written:06d}_{source.path.stem}.txt"
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += 1
        made += source.articles
        characters += len(text)
    return written, made, characters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", type=int, help="how many articles at least")
    parser.add_argument("folder", help="where to write the files")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    files, articles, characters = make_corpus(args.articles, args.folder, seed=args.seed)
    print(f"wrote {files} files, {articles} articles, {characters} characters to {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
