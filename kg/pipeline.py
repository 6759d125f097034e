"""The pipeline from text to extraction: Document → mentions → entities → relations, metrics.

``extract_document`` runs every stage on one Document and returns one
:class:`~kg.model.Extraction` per article; ``kg.graph`` turns those into RDF.
"""

from __future__ import annotations

from .extract import find_mentions
from .extract.metrics import extract_metrics
from .extract.relations import extract_relations
from .model import Document, Extraction
from .resolve import resolve_article
from .segment import Segmenter, default_segmenter

__all__ = ["extract_document"]


def extract_document(document: Document, *, segmenter: Segmenter | None = None) -> list[Extraction]:
    """Extract entities, relations and metrics from every article of ``document``."""
    segmenter = segmenter or default_segmenter()
    extractions = []
    for article in document.articles:
        mentions = find_mentions(document, article, segmenter)
        ents = resolve_article(article, mentions)
        relations = extract_relations(article, mentions, ents)
        metrics = extract_metrics(article, mentions, ents, segmenter)
        extractions.append(
            Extraction(article=article, document=document, entities=ents.entities, relations=relations, metrics=metrics)
        )
    return extractions
