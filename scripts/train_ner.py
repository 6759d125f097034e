"""Train the CRF name recognizer shipped as ``kg/_data/ner.crfsuite`` (and ``ner.json``).

    python scripts/train_ner.py --data /work/data/cluener            # train.json + dev.json
    python scripts/train_ner.py --data DIR --out /tmp/ner.crfsuite   # somewhere else

The corpus is CLUENER2020 (CLUE benchmark; JSON lines ``{"text": …, "label": {kind: {name:
[[first, last], …]}}}``, inclusive character offsets). It is NOT in this repository: get
``train.json`` and ``dev.json`` from the CLUE benchmark's release or a public copy (see the
README, "Name recognizer"). ``company`` becomes ORG and ``name`` becomes PER; ``government``
and ``organization`` are left as O unless ``--org-kinds`` says otherwise. Features are
:func:`kg.extract.ner.sentence_features`; the feature version goes into ``ner.json`` and the
runtime refuses a model of another version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pycrfsuite

from kg.corpus import normalize
from kg.extract.ner import FEATURE_VERSION, MODEL_PATH, bio_spans, sentence_features
from kg.segment import Segmenter

Example = tuple[str, list[str]]  # text, one BIO label per character


def read_cluener(path: Path, org_kinds: Iterable[str], person_kinds: Iterable[str]) -> Iterator[Example]:
    """Sentences of a CLUENER file with BIO labels; texts are normalised as kg normalises them
    (a sentence whose length normalisation changes is skipped: its offsets would not hold)."""
    mapping = {kind: "ORG" for kind in org_kinds} | {kind: "PER" for kind in person_kinds}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            text, _ = normalize(record["text"])
            if len(text) != len(record["text"]):
                continue
            labels = ["O"] * len(text)
            for kind, names in record.get("label", {}).items():
                label = mapping.get(kind)
                if label is None:
                    continue
                for positions in names.values():
                    for first, last in positions:
                        if any(tag != "O" for tag in labels[first : last + 1]):
                            continue  # overlapping annotations: keep the first
                        labels[first] = "B-" + label
                        for i in range(first + 1, last + 1):
                            labels[i] = "I-" + label
            yield text, labels


def score(gold: list[list[str]], predicted: list[list[str]]) -> dict[str, dict[str, float]]:
    """Exact-match span precision, recall and F1 per label."""
    counts: dict[str, Counter] = {}
    for gold_labels, predicted_labels in zip(gold, predicted):
        expected = set(bio_spans(gold_labels))
        found = set(bio_spans(predicted_labels))
        for span in expected | found:
            count = counts.setdefault(span[2], Counter())
            count["tp" if span in expected and span in found else "fn" if span in expected else "fp"] += 1
    result = {}
    for label, count in sorted(counts.items()):
        precision = count["tp"] / max(1, count["tp"] + count["fp"])
        recall = count["tp"] / max(1, count["tp"] + count["fn"])
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        result[label] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}
    return result


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with CLUENER train.json and dev.json")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help=f"model file (default {MODEL_PATH})")
    parser.add_argument("--org-kinds", default="company", help="CLUENER kinds tagged ORG, comma-separated")
    parser.add_argument("--person-kinds", default="name", help="CLUENER kinds tagged PER, comma-separated")
    parser.add_argument("--c1", type=float, default=0.5, help="L1 regularisation (sparser model when larger)")
    parser.add_argument("--c2", type=float, default=0.01, help="L2 regularisation")
    parser.add_argument("--minfreq", type=float, default=2, help="drop features seen fewer times")
    parser.add_argument("--iterations", type=int, default=150, help="L-BFGS iterations at most")
    parser.add_argument("--source", default="", help="where the corpus files came from (recorded in ner.json)")
    parser.add_argument("--with-dev", action="store_true", help="train on train + dev (after scoring on dev)")
    args = parser.parse_args(argv)

    org_kinds = [k for k in args.org_kinds.split(",") if k]
    person_kinds = [k for k in args.person_kinds.split(",") if k]
    segmenter = Segmenter()
    splits = {}
    for name in ("train", "dev"):
        path = args.data / f"{name}.json"
        splits[name] = list(read_cluener(path, org_kinds, person_kinds))
        print(f"{name}: {len(splits[name])} sentences", file=sys.stderr)

    def train(examples: list[Example], out: Path) -> None:
        trainer = pycrfsuite.Trainer(verbose=False)
        for text, labels in examples:
            trainer.append(sentence_features(text, segmenter), labels)
        trainer.set_params(
            {
                "c1": args.c1,
                "c2": args.c2,
                "max_iterations": args.iterations,
                "feature.minfreq": args.minfreq,
                "feature.possible_transitions": True,
            }
        )
        started = time.perf_counter()
        trainer.train(str(out))
        print(f"trained on {len(examples)} sentences in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    train(splits["train"], args.out)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(args.out))
    predicted = [tagger.tag(sentence_features(text, segmenter)) for text, _ in splits["dev"]]
    dev_scores = score([labels for _, labels in splits["dev"]], predicted)
    print(json.dumps(dev_scores), file=sys.stderr)
    if args.with_dev:
        train(splits["train"] + splits["dev"], args.out)
    info = {
        "feature_version": FEATURE_VERSION,
        "corpus": "CLUENER2020 (CLUE benchmark), train.json" + (" + dev.json" if args.with_dev else ""),
        "source": args.source,
        "corpus_sha256": {name: sha256(args.data / f"{name}.json") for name in ("train", "dev")},
        "licence": "CLUENER2020 states no licence; research benchmark (see README)",
        "labels": {"ORG": org_kinds, "PER": person_kinds},
        "params": {"c1": args.c1, "c2": args.c2, "minfreq": args.minfreq, "max_iterations": args.iterations},
        "dev_scores": dev_scores,
        "size_bytes": args.out.stat().st_size,
    }
    args.out.with_suffix(".json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
