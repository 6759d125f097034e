"""``kg eval``: precision, recall and F1 of the built graph against gold annotations.

Each gold file ``NAME.json`` (format in ``tests/gold/README.md``) describes the article
``NAME.txt`` beside it. The article is built into a graph exactly as ``kg build`` would, and
the graph — not any internal structure — is compared with the gold: entities by type, relations
by predicate, and metrics (same subject, unit right, value within 1%). Names match after NFKC
normalisation, ignoring quotes and 《》.

A gold file may narrow what is scored: ``scope`` lists the entity types and relations that were
annotated (and whether metrics were), so output of other kinds is neither right nor wrong; and
``ignore`` maps a type to names that count neither way (brands in a product list, class names).
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from .errors import InputError
from .ontology import KG, KG_NS, QUDT, UNITS
from .quantity import UNIT_WORDS

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self is 3.11+; only the type checker reads it
from .resolve import normalize_name
from .schema import class_names, relation_names

__all__ = [
    "Score",
    "DocumentReport",
    "EvalReport",
    "evaluate",
    "format_report",
    "format_sets",
    "report_json",
    "load_gold",
]


def _entity_types() -> tuple[str, ...]:
    """The classes scored, from the schema (read when scoring, so a registered class counts)."""
    return class_names(scored=True)


def _relations() -> tuple[str, ...]:
    """The relations scored, from the schema."""
    return relation_names(scored=True)


_UNIT_CODES: dict[Node, str] = {iri: code for code, iri in UNITS.items()}


@dataclass
class Score:
    """True positives, false positives and false negatives of one category."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __iadd__(self, other: Score) -> Self:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self


@dataclass
class DocumentReport:
    """What one gold article got right and wrong."""

    doc: str
    scores: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    #: The categories the gold annotates (entity types, relations, "metrics"); the rest are not scored.
    scope: frozenset[str] = field(default_factory=lambda: frozenset((*_entity_types(), *_relations(), "metrics")))
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    """Scores over all gold articles, per category and micro-averaged by group."""

    documents: list[DocumentReport]

    def total(self, category: str) -> Score:
        score = Score()
        for document in self.documents:
            if category in document.scores and category in document.scope:
                score += document.scores[category]
        return score

    def scored(self, category: str) -> bool:
        """Whether any article of the set annotates ``category``."""
        return any(category in document.scope for document in self.documents)

    def group(self, group: str) -> Score:
        names = {"entities": _entity_types(), "relations": _relations(), "metrics": ("metrics",)}[group]
        score = Score()
        for name in names:
            score += self.total(name)
        return score


def load_gold(path: str | os.PathLike[str]) -> dict:
    """Read one gold JSON file, checking the keys every file must have."""
    try:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(str(path), f"is not a readable gold JSON file ({error})") from error
    for key in ("doc", "entities", "relations", "metrics"):
        if key not in gold:
            raise InputError(str(path), f"gold file lacks the key {key!r}")
    unknown = set(gold.get("scope", {}).get("entities", ())) - set(_entity_types())
    unknown |= set(gold.get("scope", {}).get("relations", ())) - set(_relations())
    unknown |= set(gold.get("ignore", {})) - set(_entity_types())
    if unknown:
        raise InputError(
            str(path), f"gold file names unknown categories {sorted(unknown)}; known: {_entity_types() + _relations()}"
        )
    return gold


def _scope(gold: dict) -> frozenset[str]:
    """The categories a gold file annotates: all of them unless it says ``scope``."""
    scope = gold.get("scope")
    if scope is None:
        return frozenset((*_entity_types(), *_relations(), "metrics"))
    metrics = ("metrics",) if scope.get("metrics", True) else ()
    return frozenset((*scope.get("entities", _entity_types()), *scope.get("relations", _relations()), *metrics))


def _names(graph: Graph, node: Node) -> set[str]:
    values = list(graph.objects(node, RDFS.label)) + list(graph.objects(node, SKOS.altLabel))
    return {normalize_name(str(value)) for value in values}


def _gold_entities(gold: dict) -> dict[str, list[set[str]]]:
    result: dict[str, list[set[str]]] = {}
    for type_ in _entity_types():
        result[type_] = [
            {normalize_name(entry["name"]), *(normalize_name(a) for a in entry.get("aliases", []))}
            for entry in gold["entities"].get(type_, [])
        ]
    return result


def _unit_code(unit: str) -> str:
    """A gold unit as kg's unit code: codes stay, unit words (吨, 个, 平方米, %) are looked up."""
    return _gold_unit(unit)[0]


def _gold_unit(unit: str) -> tuple[str, Decimal]:
    """A gold unit as kg's unit code and the factor to its base unit (兆瓦 → kW × 1000)."""
    if unit in UNITS:
        return unit, Decimal(1)
    return UNIT_WORDS.get(unit, (unit, Decimal(1)))


def _sentence_of(graph: Graph, subject: Node, predicate: URIRef, obj: Node) -> str:
    for evidence in graph.subjects(RDF.subject, subject):
        if (evidence, RDF.predicate, predicate) in graph and (evidence, RDF.object, obj) in graph:
            sentence = graph.value(evidence, KG.sentence)
            text = graph.value(sentence, KG.text) if sentence is not None else None
            if text is not None:
                return str(text)
    return ""


def _match(gold_items: list, predicted: list, same) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Greedy one-to-one matching; returns pairs, unmatched gold and unmatched predictions."""
    used: set[int] = set()
    pairs = []
    missed = []
    for g, gold_item in enumerate(gold_items):
        for p, item in enumerate(predicted):
            if p not in used and same(gold_item, item):
                used.add(p)
                pairs.append((g, p))
                break
        else:
            missed.append(g)
    extra = [p for p in range(len(predicted)) if p not in used]
    return pairs, missed, extra


def _where(sentences: list[str], *needles: str) -> str:
    """The first sentence of the article that holds every needle (NFKC, quotes ignored)."""
    wanted = [normalize_name(n) for n in needles if n]
    for sentence in sentences:
        plain = normalize_name(sentence)
        if all(n in plain for n in wanted):
            return f"  «{sentence[:80]}»"
    return ""


def evaluate_document(graph: Graph, gold: dict, text: str = "") -> DocumentReport:
    """Score one article's graph against its gold annotation (``text`` lets misses show their sentence)."""
    report = DocumentReport(doc=gold["doc"], scope=_scope(gold))
    ignored = {normalize_name(name) for names in gold.get("ignore", {}).values() for name in names}
    sentences = [part for part in re.split(r"(?<=[。！？!?])|\n+", text) if part.strip()]
    gold_entities = _gold_entities(gold)
    lookup: dict[str, set[str]] = {}
    for entries in gold_entities.values():
        for names in entries:
            for name in names:
                lookup.setdefault(name, set()).update(names)

    def gold_names(name: str) -> set[str]:
        normal = normalize_name(name)
        return lookup.get(normal, {normal})

    # Entities
    for type_ in _entity_types():
        predicted = [(node, _names(graph, node)) for node in graph.subjects(RDF.type, URIRef(KG_NS + type_))]
        predicted = [item for item in predicted if not item[1] & ignored]
        pairs, missed, extra = _match(gold_entities[type_], predicted, lambda g, p: bool(g & p[1]))
        score = report.scores[type_]
        score.tp += len(pairs)
        score.fn += len(missed)
        score.fp += len(extra)
        if type_ in report.scope:
            report.misses += [f"{type_}: {sorted(gold_entities[type_][i])[0]}" for i in missed]
            report.false_positives += [f"{type_}: {sorted(predicted[i][1])[0]}" for i in extra]

    # Relations
    predicted_relations: list[tuple[str, set[str], set[str], str, str]] = []  # …, sentence, post title
    for name in _relations():
        if name == "holdsPost":
            for person, post in graph.subject_objects(KG.holdsPost):
                org = graph.value(post, KG.postIn)
                if org is not None:
                    text = _sentence_of(graph, person, KG.holdsPost, post)
                    title = str(graph.value(post, KG.postTitle) or "")
                    predicted_relations.append((name, _names(graph, person), _names(graph, org), text, title))
            continue
        for subject, obj in graph.subject_objects(URIRef(KG_NS + name)):
            text = _sentence_of(graph, subject, URIRef(KG_NS + name), obj)
            predicted_relations.append((name, _names(graph, subject), _names(graph, obj), text, ""))
    # One prediction per (predicate, subject names, object names): posts of one org count once.
    unique: dict[tuple[str, frozenset[str], frozenset[str]], tuple[str, set[str], set[str], str, str]] = {}
    for item in predicted_relations:
        unique.setdefault((item[0], frozenset(item[1]), frozenset(item[2])), item)
    predicted_relations_with_posts = list(predicted_relations)
    predicted_relations = [item for item in unique.values() if not (item[1] | item[2]) & ignored]
    gold_relations = []
    seen = set()
    for relation in gold["relations"]:
        key = (relation["p"], normalize_name(relation["s"]), normalize_name(relation["o"]))
        if key not in seen:
            seen.add(key)
            gold_relations.append(relation)

    def same_relation(g: dict, p: tuple) -> bool:
        return g["p"] == p[0] and bool(gold_names(g["s"]) & p[1]) and bool(gold_names(g["o"]) & p[2])

    for name in _relations():
        gold_here = [g for g in gold_relations if g["p"] == name]
        predicted_here = [p for p in predicted_relations if p[0] == name]
        pairs, missed, extra = _match(gold_here, predicted_here, same_relation)
        score = report.scores[name]
        score.tp += len(pairs)
        score.fn += len(missed)
        score.fp += len(extra)
        if name not in report.scope:
            continue
        report.misses += [
            f"{name}: {gold_here[i]['s']} → {gold_here[i]['o']}" + _where(sentences, gold_here[i]["o"]) for i in missed
        ]
        report.false_positives += [
            f"{name}: {sorted(predicted_here[i][1])[0]} → {sorted(predicted_here[i][2])[0]}  «{predicted_here[i][3][:80]}»"
            for i in extra
        ]
    for trap in gold.get("not_relations", []):
        posts = [p for p in predicted_relations_with_posts if same_relation(trap, p)]
        if "post" in trap:
            posts = [p for p in posts if normalize_name(p[4]) == normalize_name(trap["post"])]
        if posts:
            report.traps.append(f"{trap['p']}: {trap['s']} → {trap['o']} ({trap.get('why', '')})")

    # Metrics
    predicted_metrics = []
    for subject, metric in graph.subject_objects(KG.achieves):
        value = graph.value(metric, QUDT.numericValue)
        unit = graph.value(metric, QUDT.unit)
        if value is None or unit is None:
            continue
        text = _sentence_of(graph, subject, KG.achieves, metric)
        surface = graph.value(metric, KG.surfaceText)
        names = _names(graph, subject)
        if not names & ignored:
            predicted_metrics.append((names, Decimal(str(value)), _UNIT_CODES.get(unit, str(unit)), str(surface), text))

    def same_metric(g: dict, p: tuple) -> bool:
        code, factor = _gold_unit(g["unit"])
        value = Decimal(str(g["value"])) * factor
        close = abs(p[1] - value) <= abs(value) * Decimal("0.01")
        return code == p[2] and close and bool(gold_names(g["s"]) & p[0])

    pairs, missed, extra = _match(gold["metrics"], predicted_metrics, same_metric)
    score = report.scores["metrics"]
    score.tp += len(pairs)
    score.fn += len(missed)
    score.fp += len(extra)
    if "metrics" not in report.scope:
        return report
    report.misses += [
        f"metric: {gold['metrics'][i]['s']} {gold['metrics'][i].get('indicator', '')} {gold['metrics'][i]['text']}"
        + _where(sentences, gold["metrics"][i]["text"])
        for i in missed
    ]
    report.false_positives += [
        f"metric: {sorted(predicted_metrics[i][0])[0]} {predicted_metrics[i][3]} ({predicted_metrics[i][1]} {predicted_metrics[i][2]})  «{predicted_metrics[i][4][:80]}»"
        for i in extra
    ]
    return report


def evaluate(gold_dir: str | os.PathLike[str], inputs: list[str] | None = None) -> EvalReport:
    """Build each gold article and score it; ``inputs`` overrides where the texts are read from."""
    from .builder import build_corpus
    from .corpus import load_text
    from .segment import Segmenter

    folder = Path(gold_dir)
    gold_files = sorted(folder.glob("*.json"))
    gold_files = [g for g in gold_files if g.name != "thresholds.json"]
    if not gold_files:
        raise InputError(str(folder), "holds no gold .json files")
    by_name = {Path(p).name: Path(p) for p in inputs or []}
    segmenter = Segmenter()
    reports = []
    for gold_file in gold_files:
        gold = load_gold(gold_file)
        text_path = by_name.get(gold["doc"], folder / gold["doc"])
        result = build_corpus([text_path], segmenter=segmenter)
        if result.documents == 0:
            raise result.problems[0] if result.problems else InputError(str(text_path), "could not be read")
        reports.append(evaluate_document(result.graph, gold, load_text(text_path)[0]))
    return EvalReport(documents=reports)


def format_report(report: EvalReport, *, details: bool = True) -> str:
    """The table of P/R/F1 per category and group, then misses and false positives.

    Categories no article of the set annotates (outside every ``scope``) are left out.
    """
    lines = [f"{'category':<16}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]

    def row(name: str, score: Score) -> str:
        return (
            f"{name:<16}{score.precision:7.3f}{score.recall:7.3f}{score.f1:7.3f}{score.tp:6d}{score.fp:6d}{score.fn:6d}"
        )

    for name in _entity_types():
        if report.scored(name):
            lines.append(row(name, report.total(name)))
    lines.append(row("ENTITIES", report.group("entities")))
    for name in _relations():
        if report.scored(name):
            lines.append(row(name, report.total(name)))
    lines.append(row("RELATIONS", report.group("relations")))
    lines.append(row("METRICS", report.group("metrics")))
    traps = sum(len(d.traps) for d in report.documents)
    lines.append(f"traps fallen into (not_relations predicted): {traps}")
    if details:
        for document in report.documents:
            if not (document.misses or document.false_positives or document.traps):
                continue
            lines.append(f"\n== {document.doc}")
            lines += [f"  miss  {m}" for m in document.misses]
            lines += [f"  extra {m}" for m in document.false_positives]
            lines += [f"  trap  {m}" for m in document.traps]
    return "\n".join(lines)


def _score_json(score: Score) -> dict[str, float | int]:
    return {
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
        "f1": round(score.f1, 4),
        "tp": score.tp,
        "fp": score.fp,
        "fn": score.fn,
    }


def report_json(report: EvalReport) -> dict:
    """The summary as plain data: every scored category and the three groups."""
    categories = [name for name in (*_entity_types(), *_relations(), "metrics") if report.scored(name)]
    return {
        "articles": len(report.documents),
        "groups": {group: _score_json(report.group(group)) for group in ("entities", "relations", "metrics")},
        "categories": {name: _score_json(report.total(name)) for name in categories},
        "traps": sum(len(d.traps) for d in report.documents),
    }


def format_sets(reports: dict[str, EvalReport]) -> str:
    """One row per gold set: F1 of entities, relations and metrics, and metric recall."""
    header = f"{'set':<22}{'articles':>9}{'entities':>10}{'relations':>11}{'metrics':>9}{'metric R':>10}"
    lines = [header]
    for name, report in reports.items():
        metrics = report.group("metrics")
        lines.append(
            f"{name:<22}{len(report.documents):>9}{report.group('entities').f1:>10.3f}"
            f"{report.group('relations').f1:>11.3f}{metrics.f1:>9.3f}{metrics.recall:>10.3f}"
        )
    return "\n".join(lines)
