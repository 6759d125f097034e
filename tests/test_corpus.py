"""Reading files: encodings, HTML, normalisation with offsets, bad input, article splitting."""

from __future__ import annotations

import codecs
import os

import pytest

from kg.corpus import decode_bytes, expand_paths, html_to_text, normalize, read_document
from kg.errors import InputError

SENTENCE = "常州国家高新区新能源汽车及核心零部件产业实现工业产值１１００亿元，同比增长23.9％。"


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5"],
)
def test_corpus_decodes_chinese_encodings(tmp_path, encoding):
    text = "南昌高新區軟件產業發展迅速，園區企業超過一百家。" if encoding == "big5" else SENTENCE
    path = tmp_path / f"article-{encoding}.txt"
    path.write_bytes(("標題\n" if encoding == "big5" else "标题\n").encode(encoding) + text.encode(encoding))
    decoded, _ = decode_bytes(path.read_bytes(), str(path))
    assert text in decoded


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), SENTENCE),  # Windows "Unicode" text
        (lambda t: t.encode("utf-16-le"), SENTENCE),  # … without its byte-order mark
        (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), SENTENCE),
        (lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le"), SENTENCE),
        (lambda t: "高新区".encode("gbk"), "高新区"),  # too short for charset detection to tell GBK from Big5
        (lambda t: t.encode("utf-8").decode("latin-1").encode("utf-8"), SENTENCE),  # UTF-8 once misread as Latin-1
        (lambda t: (t + "园区").encode("utf-8")[:-1], SENTENCE),  # the last character cut in half
    ],
)
def test_corpus_decodes_what_real_files_hold(tmp_path, make, expected):
    path = tmp_path / "article.txt"
    path.write_bytes(make("标题\n" + SENTENCE))
    decoded, _ = decode_bytes(path.read_bytes(), str(path))
    assert expected in decoded


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(128, 256)) * 40, "cannot decode"),
    ],
)
def test_corpus_rejects_bad_files_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_document(path)
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)


def test_corpus_reports_links_and_pipes_it_cannot_read(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("标题\n南昌高新区举办活动。", encoding="utf-8")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "gone.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    files, problems = expand_paths([tmp_path, tmp_path / "pipe.txt"])
    assert files == [good]
    reasons = {p.path: p.reason for p in problems}
    assert "does not exist" in reasons[str(tmp_path / "broken.txt")]
    assert "not a regular file" in reasons[str(tmp_path / "pipe.txt")]


def test_corpus_reports_missing_paths_and_keeps_the_rest(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("标题\n南昌高新区举办活动。", encoding="utf-8")
    files, problems = expand_paths([good, tmp_path / "nope.txt", str(tmp_path / "*.md")])
    assert files == [good]
    assert [p.path for p in problems] == [str(tmp_path / "nope.txt"), str(tmp_path / "*.md")]


@pytest.mark.parametrize(
    "raw, normal",
    [
        ("１２０亿", "120亿"),
        ("增长23.9％", "增长23.9%"),
        ("金力永磁（包头）科技", "金力永磁(包头)科技"),
        ("ＡＢＣ集团", "ABC集团"),
        ("一\u3000二", "一 二"),
        ("控制\x07字符", "控制 字符"),
        # Invisible characters pasted from web pages vanish: soft hyphen, zero-width space, BOM.
        ("某某光\u00ad电科技", "某某光电科技"),
        ("高新\u200b区", "高新区"),
        ("\ufeff经开区\u2060管委会", "经开区管委会"),
    ],
)
def test_corpus_normalizes_full_width_and_keeps_offsets(raw, normal):
    norm, offsets = normalize(raw)
    assert norm == normal
    assert len(offsets) == len(norm) + 1
    assert offsets[-1] == len(raw)
    for index, ch in enumerate(norm):
        if ch.isdigit():
            assert normalize(raw[offsets[index]])[0] == ch


def test_corpus_html_becomes_visible_text():
    page = (
        "<html><head><title>某高新区新闻</title><script>var x='园区';</script></head>"
        "<body><nav>首页</nav><h1>某高新区举办活动</h1><p>园区企业&amp;人才。</p></body></html>"
    )
    text = html_to_text(page)
    assert "某高新区举办活动" in text
    assert "园区企业&人才。" in text
    assert "var x" not in text


def test_corpus_splits_the_seed_page_into_four_articles(seed_path):
    document = read_document(seed_path)
    headlines = [article.headline for article in document.articles]
    assert len(headlines) == 4
    assert "南昌高新区以硬举措提升“软”实力" in headlines[0]
    assert headlines[1].startswith("包头稀土高新区：")
    assert document.articles[0].authors == ["魏依晨", "周金宇"]
    assert document.articles[2].authors == ["李昭宇", "谢佳妮", "黄宁", "钱里阳"]
    assert document.articles[0].captions == ["图为南昌高新区新经济产业园。南昌高新区供图"]
    body = " ".join(s.norm for s in document.articles[0].sentences)
    assert "供图" not in body  # captions are kept apart from the body


def test_corpus_sentence_offsets_point_into_the_original_text(seed_path):
    document = read_document(seed_path)
    for article in document.articles:
        for sentence in article.sentences:
            span = document.source_span(sentence.start, sentence.end)
            assert document.text[span.start : span.end] == sentence.text


def test_corpus_single_article_file_uses_first_line_as_headline(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("某经开区上半年产值增长\n\n某经开区上半年实现产值100亿元。", encoding="utf-8")
    document = read_document(path)
    assert len(document.articles) == 1
    assert document.articles[0].headline == "某经开区上半年产值增长"


def test_corpus_markdown_markup_is_blanked_in_place(tmp_path):
    path = tmp_path / "note.md"
    raw = "# 某高新区发布新政\n\n**某高新区**出台[《人才十条》](https://example.org/a)。\n"
    path.write_text(raw, encoding="utf-8")
    document = read_document(path)
    assert document.articles[0].headline == "某高新区发布新政"
    body = document.articles[0].sentences[-1]
    assert "**" not in body.text and "https" not in body.text
    assert raw[body.start : body.end].replace("*", " ").strip().startswith("某高新区")


def test_corpus_interview_lines_are_not_bylines(tmp_path):
    path = tmp_path / "interview.txt"
    path.write_text(
        "访某某产业园管委会主任\n记者 向晴\n\n记者：园区在吸引外资方面有哪些优势？\n主任：一是政策稳定，二是服务便利。\n记者：下一步有何打算？\n主任：继续招商。",
        encoding="utf-8",
    )
    document = read_document(path)
    assert len(document.articles) == 1


def test_corpus_a_page_with_no_full_stop_is_cut_into_bounded_sentences(tmp_path):
    """2,000 characters without 。 become sentences of at most MAX_SENTENCE characters, cut at
    commas, that still point into the original text."""
    from kg.corpus import MAX_SENTENCE

    body = "，".join(f"某某高新区第{i}号企业实现产值{i}亿元" for i in range(120))
    path = tmp_path / "long.txt"
    path.write_text("标题\n" + body, encoding="utf-8")
    document = read_document(path)
    sentences = [s for a in document.articles for s in a.sentences]
    assert len(sentences) > 3 and all(len(s.norm) <= MAX_SENTENCE for s in sentences)
    assert all(s.norm.endswith((",", "，")) for s in sentences[1:-1])  # the headline first
    for sentence in sentences:
        span = document.source_span(sentence.start, sentence.end)
        assert document.text[span.start : span.end] == sentence.text


KG_PAGE = '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<meta name="generator" content="kg viz">\n<title>kg</title></head><body>南昌高新区</body></html>'
# (files in the folder, --include, --exclude, files read, how many skipped)
FOLDERS = [
    (["a.txt", "README.md", "LICENSE.txt", "CHANGELOG.md", "b.md"], [], [], ["a.txt", "b.md"], 3),
    (["a.txt", "graph.html:kg", "page.html"], [], [], ["a.txt", "page.html"], 1),
    (["a.txt", ".hidden/b.txt", ".c.txt"], [], [], ["a.txt"], 1),
    (["2023/a.txt", "2024/b.txt", "2024/c.md"], ["2024/*"], [], ["2024/b.txt", "2024/c.md"], 1),
    (["2023/a.txt", "2024/b.txt", "2024/c.md"], [], ["*.md"], ["2023/a.txt", "2024/b.txt"], 1),
    (["a.txt", "draft_b.txt"], ["*.txt"], ["draft_*"], ["a.txt"], 1),
]


@pytest.mark.parametrize(("names", "include", "exclude", "read", "skipped"), FOLDERS)
def test_corpus_folders_give_articles_only(tmp_path, names, include, exclude, read, skipped):
    from kg.corpus import find_inputs

    for name in names:
        name, _, kind = name.partition(":")
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(KG_PAGE if kind == "kg" else "标题\n南昌高新区举办活动。", encoding="utf-8")
    found = find_inputs([tmp_path], include=include, exclude=exclude)
    assert [p.relative_to(tmp_path).as_posix() for p in found.files] == read
    assert len(found.skipped) == skipped and not found.problems


def test_corpus_an_unreadable_sub_folder_is_a_problem(tmp_path, monkeypatch):
    """(Made unreadable by refusing to list it: root reads any folder whatever its mode.)"""
    from kg.corpus import find_inputs

    for name in ("a.txt", "locked/b.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("标题\n南昌高新区举办活动。", encoding="utf-8")
    scandir = os.scandir

    def refuse(path="."):
        if os.fspath(path) == str(tmp_path / "locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    found = find_inputs([tmp_path])
    assert [p.name for p in found.files] == ["a.txt"]
    assert [(p.path, "Permission denied" in p.reason) for p in found.problems] == [(str(tmp_path / "locked"), True)]
