"""One reader path: every input kind gives the same text, and the same graph, in every build mode.

Each kind of file (plain UTF-8, Markdown, HTML, GB18030, UTF-16 with its byte-order mark, and a
reprint: the same article in a second file) is built in one process, with worker processes,
on a Dask cluster and into a persistent store. The sentences of each file are checked against
the text we wrote, and every mode must give the graph of the one-process build.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.builder import build_corpus

KG = "https://w3id.org/parkkg/ontology#"

#: Articles of our own, one per input kind, each naming its own park and company: a headline,
#: then two sentences of body, each stating a fact (the graph keeps only
#: the sentences that are evidence of something).
ARTICLES = {
    "plain": "青川高新区项目建设提速\n青川高新区新签约项目12个。\n鑫拓科技有限公司在青川高新区投资建设新材料产业园，总投资5亿元。",
    "markdown": "鼎川经开区招商再上台阶\n鼎川经开区今年引进企业30家。\n恒岳新材料有限公司落户鼎川经开区，年产值达8亿元。",
    "html": "鹿鸣产业园智能制造起势\n鹿鸣产业园去年实现工业产值45亿元。\n沃达智能科技有限公司在鹿鸣产业园建成智能工厂，投资2.3亿元。",
    "gbk": "云栖经开区电子产业集聚\n云栖经开区今年新增规上企业15家。\n澜石电子股份有限公司入驻云栖经开区，计划投资6000万元。",
    "utf16": "白鹭高新区重大项目开工\n白鹭高新区一季度集中开工项目20个。\n青禾生物科技有限公司在白鹭高新区投资3亿元建设研发中心。",
}


def markdown(text: str) -> str:
    """The article as Markdown: a heading, bold names and a link the reader must blank."""
    headline, first, second = text.split("\n")
    return (
        f"# {headline}\n\n{first.replace('鼎川经开区', '**鼎川经开区**')}\n\n"
        f"{second.replace('恒岳新材料有限公司', '[恒岳新材料有限公司](https://example.org/hengyue)')}\n"
    )


def html(text: str) -> str:
    body = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    return f"<!DOCTYPE html><html><head><title>园区</title><script>var x = '不是正文';</script></head><body>{body}</body></html>"


#: kind → (file name, the bytes written)
WRITERS: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "plain": ("plain.txt", lambda t: t.encode("utf-8")),
    "markdown": ("notes.md", lambda t: markdown(t).encode("utf-8")),
    "html": ("page.html", lambda t: html(t).encode("utf-8")),
    "gbk": ("legacy.txt", lambda t: t.encode("gb18030")),
    "utf16": ("windows.txt", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("kinds")
    files = []
    for kind, (name, encode) in WRITERS.items():
        path = folder / name
        path.write_bytes(encode(ARTICLES[kind]))
        files.append(path)
    reprint = folder / "reprint.txt"
    reprint.write_bytes(ARTICLES["plain"].encode("utf-8"))
    files.append(reprint)
    return files


def build_in(mode: str, files: list[Path], tmp_path: Path, segmenter) -> Graph:
    paths = [str(path) for path in files]
    if mode == "one process":
        return build_corpus(paths, segmenter=segmenter).graph
    if mode == "workers":
        return build_corpus(paths, jobs=2).graph
    if mode == "store":
        result = build_corpus(paths, store=tmp_path / "store")
        try:
            return result.graph
        finally:
            result.store.close()
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        host="127.0.0.1", n_workers=1, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    )
    try:
        return build_corpus(paths, executor="dask", scheduler=cluster.scheduler_address).graph
    finally:
        cluster.close()


MODES = ["one process", "workers", "store", "dask"]


@pytest.fixture(scope="module")
def graphs(inputs, tmp_path_factory, segmenter) -> dict[str, Graph]:
    return {mode: build_in(mode, inputs, tmp_path_factory.mktemp(mode.replace(" ", "_")), segmenter) for mode in MODES}


def sentences_of(graph: Graph, file_name: str) -> list[str]:
    """The sentence texts of the articles read from ``file_name``."""
    rows = graph.query(
        """PREFIX kg: <https://w3id.org/parkkg/ontology#>
        SELECT ?text ?start WHERE { ?article kg:sourceFile ?file . FILTER(STRENDS(STR(?file), ?name))
          ?sentence kg:inArticle ?article ; kg:text ?text ; kg:startOffset ?start }""",
        initBindings={"name": Literal("/" + file_name)},
    )
    return [str(text) for text, _ in sorted(rows, key=lambda row: int(row[1]))]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", [*WRITERS, "reprint"])
def test_each_kind_reads_to_the_text_we_wrote(graphs, kind, mode):
    name = WRITERS[kind][0] if kind in WRITERS else "reprint.txt"
    expected = ARTICLES["plain" if kind == "reprint" else kind].split("\n")[1:]
    # Markup is blanked, not cut, so that offsets still point into the file: compare without blanks.
    sentences = ["".join(sentence.split()) for sentence in sentences_of(graphs[mode], name)]
    assert [s for s in sentences if s in expected] == expected, sentences
    assert not any(mark in s for s in sentences for mark in ("**", "](", "https://", "<p>", "不是正文", "\ufeff"))


@pytest.mark.parametrize("mode", MODES[1:])
def test_every_mode_gives_the_one_process_graph(graphs, mode):
    reference = graphs["one process"]
    assert set(graphs[mode]) == set(reference) and isomorphic(graphs[mode], reference)


@pytest.mark.parametrize("kind", list(WRITERS))
def test_each_kind_yields_its_park_and_company(graphs, kind):
    """Not only the text: each file's park and company reach the graph (in the one-process build)."""
    graph = graphs["one process"]
    labels = {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    _, first, second = ARTICLES[kind].split("\n")
    park = first[: first.index("区") + 1] if "区" in first[:6] else first[:5]
    company = second[: second.index("公司") + 2]
    assert park in labels and company in labels, (park, company)


def test_the_reprint_is_one_article_with_two_source_files(graphs):
    graph = graphs["one process"]
    files = {
        str(file)
        for article, file in graph.subject_objects(URIRef(KG + "sourceFile"))
        if str(file).endswith(("/plain.txt", "/reprint.txt"))
    }
    articles = {article for article, file in graph.subject_objects(URIRef(KG + "sourceFile")) if str(file) in files}
    assert len(files) == 2 and len(articles) == 1
