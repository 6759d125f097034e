"""Read input files into :class:`~kg.model.Document` objects and split them into articles.

Reading detects the encodings Chinese files come in (UTF-8 with or without BOM, GB18030/GBK,
Big5), turns HTML into text, and normalises full-width characters (１２０亿 → 120亿) while keeping
a map from every normalised character back to the original text. Splitting finds the articles
of a newspaper page by their bylines (◎本报记者 …) and keeps picture captions out of the body.
"""

from __future__ import annotations

import codecs
import glob
import hashlib
import html
import os
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError
from .model import Article, Document, Sentence

__all__ = [
    "SUFFIXES",
    "Inputs",
    "expand_paths",
    "find_inputs",
    "decode_bytes",
    "html_to_text",
    "markdown_to_text",
    "normalize",
    "read_document",
    "load_text",
    "read_bytes",
    "split_articles",
    "split_sentences",
    "text_of_bytes",
]

SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_BYTES = 50 * 1024 * 1024

_BYLINE = re.compile(r"^\s*(?:◎|○|●|■|□)?\s*[(（]?\s*(?:本报记者|本报通讯员|记者|实习记者|通讯员|特约记者|见习记者)")
_BYLINE_ROLES = re.compile(r"(?:本报记者|本报通讯员|实习记者|特约记者|见习记者|记者|通讯员|摄影|摄)")
_CAPTION = re.compile(r"^\s*(?:图为|图:|图：|上图|下图|左图|右图)|(?:供图|摄)\s*[)）]?\s*$")
_DATELINE = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_SENTENCE_END = re.compile(r"[。！？!?]+[”’」』\"]*|\n+")


#: Files a folder holds beside its articles: documentation, not news (README.md, LICENSE.txt …).
NOT_ARTICLES = frozenset(
    {"README", "LICENSE", "LICENCE", "CHANGELOG", "CHANGES", "CONTRIBUTING", "NOTICE", "AUTHORS", "COPYING"}
)
#: The mark of a page kg itself wrote (``kg build``'s graph.html, ``kg viz``).
_KG_PAGE = re.compile(rb'<meta name="generator" content="kg[ "]')


@dataclass
class Inputs:
    """The files to read, what named nothing usable (``problems``) and what was left out on purpose (``skipped``)."""

    files: list[Path] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def find_inputs(
    paths: Iterable[str | os.PathLike[str]], *, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Inputs:
    """Turn files, folders and glob patterns into a sorted list of input files.

    A file named directly is read whatever it is. In a folder, only articles are taken: files
    ending in .txt, .md, .html or .htm, not hidden, not README/LICENSE/CHANGELOG and the like,
    and not a page kg wrote (so ``kg build dir -o dir`` does not read its own graph.html);
    ``include`` / ``exclude`` glob patterns (matched against the path below the folder and the
    file name) narrow that further, for folders and glob patterns alike. A sub-folder that
    cannot be listed is a problem, not silently left out.
    """
    found = Inputs()
    for raw in paths:
        text = os.fspath(raw)
        path = Path(text)
        if path.is_dir():
            candidates = _walk(path, found.problems)
            chosen = [p for p in candidates if _wanted(p, p.relative_to(path), include, exclude, found.skipped)]
            # A broken link or a pipe named like an article inside the folder: say so, skip it.
            found.problems.extend(InputError(str(p), _not_a_file(p)) for p in chosen if not p.is_file())
            if not candidates:
                found.problems.append(InputError(text, f"folder holds no {', '.join(SUFFIXES)} files"))
            elif not chosen:
                found.problems.append(InputError(text, "folder holds no article to read (see what was skipped)"))
            found.files.extend(p for p in chosen if p.is_file())
        elif path.is_file():
            found.files.append(path)
        elif any(ch in text for ch in "*?["):
            matched = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not matched:
                found.problems.append(InputError(text, "the pattern matches no file"))
            found.files.extend(
                p for p in matched if _wanted(p, p, include, exclude, found.skipped, articles_only=False)
            )
        else:
            found.problems.append(InputError(text, _not_a_file(path)))
    found.files = list(dict.fromkeys(found.files))
    return found


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[InputError]]:
    """:func:`find_inputs` without filters: the files and the problems."""
    found = find_inputs(paths)
    return found.files, found.problems


def _walk(folder: Path, problems: list[InputError]) -> list[Path]:
    """Every file below ``folder`` with an article's suffix, sorted; folders that cannot be listed become problems."""

    def unreadable(error: OSError) -> None:
        where = error.filename or str(folder)
        problems.append(
            InputError(where, f"folder cannot be read ({error.strerror or error}); its files were not read")
        )

    files: list[Path] = []
    seen: set[str] = set()
    for root, dirs, names in os.walk(folder, onerror=unreadable, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:  # a link back up the tree
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(Path(root, name) for name in names if Path(name).suffix.lower() in SUFFIXES)
    return sorted(files)


def _wanted(
    path: Path,
    relative: Path,
    include: Sequence[str],
    exclude: Sequence[str],
    skipped: list[str],
    *,
    articles_only: bool = True,
) -> bool:
    """Whether ``path`` is an input to read; if not, it is added to ``skipped`` with the reason."""
    from fnmatch import fnmatch

    def matches(patterns: Sequence[str]) -> bool:
        return any(fnmatch(relative.as_posix(), pattern) or fnmatch(path.name, pattern) for pattern in patterns)

    reason = None
    if articles_only and (path.name.startswith(".") or path.stem.upper() in NOT_ARTICLES):
        reason = "not an article"
    elif articles_only and path.suffix.lower() in (".html", ".htm") and _written_by_kg(path):
        reason = "a page kg wrote"
    elif include and not matches(include):
        reason = "not matched by --include"
    elif exclude and matches(exclude):
        reason = "matched by --exclude"
    if reason is not None:
        skipped.append(f"{path} ({reason})")
    return reason is None


def _written_by_kg(path: Path) -> bool:
    """Whether an HTML file is a page kg wrote (its generator mark is in the head)."""
    try:
        with open(path, "rb") as handle:
            return bool(_KG_PAGE.search(handle.read(4096)))
    except OSError:
        return False  # reading it will say why


def _not_a_file(path: Path) -> str:
    """Why ``path`` (neither a regular file nor a folder) cannot be read."""
    if path.is_symlink() and not path.exists():
        return "is a link to something that does not exist"
    if path.exists():
        return "is not a regular file (a pipe, socket or device); give a text, Markdown or HTML file"
    return "no such file or folder"


def decode_bytes(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode the bytes of a Chinese text file; return ``(text, encoding)``.

    Tries UTF-8 (with or without BOM), UTF-16/32 (by BOM, or by the NUL bytes of their ASCII),
    then GB18030 when it gives common simplified characters, then lets charset-normalizer choose
    among the Chinese legacy encodings. UTF-8 that was once misread as Latin-1 and saved again
    (é«˜æ–°åŒº) is put right. Raises :class:`InputError` for empty, binary or undecodable data.
    """
    if not data.strip(b" \t\r\n\x00"):
        raise InputError(path, "the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise InputError(
                    path,
                    f"starts with a {encoding} byte-order mark but byte {error.start + len(bom)} is not {encoding}; convert the file to UTF-8",
                ) from None
    if b"\x00" in data[:65536]:
        for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _readable(text):
                return text, encoding
        raise InputError(
            path,
            "looks binary (it contains NUL bytes and is not UTF-16 or UTF-32 text); give a text, Markdown or HTML file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start > 0:
            # Only the last character is cut short (a file cut off in the middle of a character).
            return data[: error.start].decode("utf-8-sig"), "utf-8"
    else:
        return _repaired(text), "utf-8"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _cjk_ratio(text) > 0.1 and _common_simplified(text):
            return text, "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    if best is not None and best.encoding:
        text = str(best)
        if _cjk_ratio(text) > 0.1:
            return text, best.encoding
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _cjk_ratio(text) > 0.1:
            return text, encoding
    raise InputError(path, "cannot decode the bytes as UTF-8, UTF-16, GB18030/GBK or Big5; convert the file to UTF-8")


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose mark it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _readable(text: str) -> bool:
    """Whether decoded text looks like Chinese text: nearly all ASCII, CJK and CJK punctuation,
    with some CJK (binary bytes read as UTF-16 scatter over the whole of Unicode)."""
    sample = text[:20000]
    if not sample or "\x00" in sample:
        return False
    usual = sum(
        1
        for ch in sample
        if ch.isascii() or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
    )
    return usual / len(sample) > 0.9 and _cjk_ratio(sample) > 0.1


def _common_simplified(text: str) -> bool:
    """Whether the CJK characters of ``text`` are nearly all in GB2312, the common simplified
    set: GBK text is, Big5 bytes read as GB18030 are not (their second bytes fall outside it)."""
    cjk = [ch for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return False
    common = 0
    for ch in cjk:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(cjk) >= 0.9


_MOJIBAKE = re.compile(r"[\u00c0-\u00ff][\u0080-\u00ff\u0152-\u02dc\u2013-\u203a\u20ac\u2122]{1,2}")


def _repaired(text: str) -> str:
    """UTF-8 text that was misread as Latin-1/CP1252 and saved as UTF-8 again, put right;
    any other text as it is."""
    if len(_MOJIBAKE.findall(text[:20000])) < 10 or _cjk_ratio(text) > 0.05:  # the cheap test first
        return text
    for legacy in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(legacy).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if _cjk_ratio(fixed) > 0.1:
            return fixed
    return text


def _cjk_ratio(text: str) -> float:
    sample = text[:20000]
    visible = [ch for ch in sample if not ch.isspace()]
    if not visible:
        return 0.0
    return sum(1 for ch in visible if "\u4e00" <= ch <= "\u9fff") / len(visible)


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML page, one line per block element."""

    _BLOCKS = frozenset(
        "p div br li h1 h2 h3 h4 h5 h6 tr td th section article header footer title figcaption "
        "blockquote pre table ul ol dd dt".split()
    )
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skipping += 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP and self._skipping:
            self._skipping -= 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML page, blocks on their own lines (title first if no h1)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    body = "".join(parser.parts)
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in body.splitlines()]
    text = "\n".join(line for line in lines if line)
    title = html.unescape("".join(parser._title)).strip()
    if title and not text.startswith(title[:10]):
        text = title + "\n\n" + text
    return text


_FULL_WIDTH: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_BLANKS: dict[int, int | str] = {0x3000: " ", 0xA0: " ", 0x7F: " ", **{c: " " for c in range(32) if c not in (9, 10)}}
_SIMPLE = str.maketrans({**_FULL_WIDTH, **_BLANKS})
#: Characters outside the common ones that map one to one through ``_SIMPLE``.
#: (The soft hyphen U+00AD, invisible in a web page but inside the name it splits, is not one.)
_NEEDS_SLOW_PATH = re.compile(
    r"[^\u0009\u000a\u0020-\u007e\u00a0-\u00ac\u00ae-\u024f\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e\u2010-\u2027\u00b7]"
)


_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_MD_MARKS = re.compile(r"(?m)^\s{0,3}(?:#{1,6}\s|>\s?|[-*+]\s|\d+\.\s)|\*\*|__|`+|~~")


def markdown_to_text(markup: str) -> str:
    """Blank out Markdown markup with spaces of the same length, so offsets stay file offsets."""

    def blank(match: re.Match[str]) -> str:
        return " " * len(match.group())

    def keep_label(match: re.Match[str]) -> str:
        label = match.group(1)
        head = match.group().index("[") + 1
        return " " * head + label + " " * (len(match.group()) - head - len(label))

    return _MD_MARKS.sub(blank, _MD_LINK.sub(keep_label, markup))


def normalize(text: str) -> tuple[str, Sequence[int]]:
    """Normalise ``text`` character by character; return it and an offset map.

    ``offsets[i]`` is the index in ``text`` of the character that produced normalised
    character ``i``; ``offsets[len(norm)] == len(text)``. The common characters of the genre
    (ASCII, Han, CJK punctuation, Latin letters) map one to one: full-width forms and the
    ideographic and no-break spaces become ASCII, control characters spaces, the rest stays as
    written (so ……, — and · are kept). Any other character is NFKC-normalised on its own
    (① → 1, ㎡ → m2); format and unassigned characters are dropped. Runs of common characters
    are translated in one go, so a ◎ in a byline does not slow the whole page down.
    """
    if not _NEEDS_SLOW_PATH.search(text):
        return text.translate(_SIMPLE), range(len(text) + 1)  # one to one: no list of a million ints
    out: list[str] = []
    offsets = array("q")
    position = 0
    for match in _NEEDS_SLOW_PATH.finditer(text):
        index = match.start()
        if index > position:
            out.append(text[position:index].translate(_SIMPLE))
            offsets.extend(range(position, index))
        mapped = _normalize_char(match.group())
        out.append(mapped)
        offsets.extend([index] * len(mapped))
        position = index + 1
    out.append(text[position:].translate(_SIMPLE))
    offsets.extend(range(position, len(text) + 1))
    return "".join(out), offsets


def _normalize_char(char: str) -> str:
    """One uncommon character: NFKC; controls become a space, format characters nothing."""
    category = unicodedata.category(char)
    if category == "Cc":
        return " "
    if category in ("Cf", "Cs", "Co", "Cn"):
        return ""
    return unicodedata.normalize("NFKC", char)


def load_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Read and decode one input file; HTML becomes its visible text."""
    name = os.fspath(path)
    return text_of_bytes(name, read_bytes(name))


def read_bytes(name: str) -> bytes:
    """The bytes of one input file: the one place every build mode reads a file.

    The size is checked before reading, so a huge file costs no memory before it is refused.
    """
    try:
        size = os.path.getsize(name)
        if size > MAX_BYTES:
            raise InputError(
                name, f"is {size // 1_048_576} MiB, larger than the {MAX_BYTES // 1_048_576} MiB limit; split it"
            )
        with open(name, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise InputError(name, f"cannot be read ({error.strerror or error})") from error


def text_of_bytes(name: str, data: bytes) -> tuple[str, str]:
    """The text of a file's bytes and their encoding: Markdown blanked, HTML as its visible text.

    The one way a file becomes text, whether it is read here or its bytes reach a worker.
    """
    if len(data) > MAX_BYTES:
        raise InputError(
            name, f"is {len(data) // 1_048_576} MiB, larger than the {MAX_BYTES // 1_048_576} MiB limit; split it"
        )
    text, encoding = decode_bytes(data, name)
    if Path(name).suffix.lower() == ".md":
        text = markdown_to_text(text)
    elif Path(name).suffix.lower() in (".html", ".htm") or text.lstrip()[:200].lower().startswith(
        ("<!doctype html", "<html")
    ):
        text = html_to_text(text)
        if not text.strip():
            raise InputError(name, "the HTML page has no visible text")
    return text, encoding


def read_document(path: str | os.PathLike[str], *, text: str | None = None) -> Document:
    """Read a file (or take ``text``) into a Document with its articles and sentences."""
    name = os.fspath(path)
    encoding = "utf-8"
    if text is None:
        text, encoding = load_text(name)
    elif not text.strip():
        raise InputError(name, "the text is empty")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    norm, offsets = normalize(text)
    document = Document(path=name, text=text, norm=norm, offsets=offsets, encoding=encoding)
    document.articles = split_articles(document)
    if not any(article.sentences for article in document.articles):
        raise InputError(name, "holds no sentence of text to extract from")
    return document


def _lines(norm: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, stripped text)`` for every non-blank line of ``norm``."""
    position = 0
    for raw in norm.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            yield position + lead, position + lead + len(stripped), stripped
        position += len(raw) + 1


def _is_heading(line: str) -> bool:
    return len(line) <= 40 and not re.search(r"[。！？!?;；]$", line) and not _CAPTION.search(line)


def split_articles(document: Document) -> list[Article]:
    """Split a page into articles at their bylines; a page without bylines is one article.

    The headline is the one or two short heading lines just above a byline; a line starting
    with 图为 or ending with 供图/摄 is a picture caption, kept apart from the body.
    """
    lines = list(_lines(document.norm))
    if not lines:
        return []
    bylines = [i for i, (_, _, line) in enumerate(lines) if _is_byline(line)]
    starts: list[tuple[int, int]] = []  # (first headline line, byline line or -1)
    for i in bylines:
        first = i
        while first > 0 and i - first < 2 and _is_heading(lines[first - 1][2]):
            if starts and first - 1 <= starts[-1][1]:
                break
            first -= 1
        starts.append((first, i))
    if not starts or (starts[0][0] > 0 and not bylines):
        starts = [(0, -1)]
    elif starts[0][0] > 0:
        # Text before the first byline: a lead article without byline only if it is long.
        body_chars = sum(len(line) for _, _, line in lines[: starts[0][0]])
        if body_chars > 200:
            starts.insert(0, (0, -1))
        else:
            starts[0] = (0, starts[0][1])
    articles: list[Article] = []
    for number, (first, byline) in enumerate(starts):
        last = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        block = lines[first:last]
        if byline >= 0:
            head_lines = lines[first:byline]
            byline_text = lines[byline][2]
            body = lines[byline + 1 : last]
        else:
            head_lines = block[:1]
            byline_text = ""
            body = block[1:]
            if len(block) > 1 and _BYLINE.match(block[1][2]):
                byline_text = block[1][2]
                body = block[2:]
        headline = " ".join(document.original(start, end).strip() for start, end, _ in head_lines)
        caption_lines = [entry for entry in body if _CAPTION.search(entry[2]) and len(entry[2]) <= 120]
        captions = [document.original(start, end).strip() for start, end, _ in caption_lines]
        body_lines = [entry for entry in body if entry not in caption_lines]
        article = Article(
            index=number,
            headline=headline,
            authors=_byline_people(byline_text),
            captions=captions,
            start=block[0][0],
            end=block[-1][1],
        )
        # Headline lines are sentences too: they name the article's main subject.
        article.sentences = []
        for paragraph, (start, end, _) in enumerate((*head_lines, *body_lines)):
            for sentence in split_sentences(document.norm, start, end):
                sentence.paragraph = paragraph
                article.sentences.append(sentence)
        article.headline_sentences = sum(
            1 for sentence in article.sentences if any(s <= sentence.start < e for s, e, _ in head_lines)
        )
        for position, sentence in enumerate(article.sentences):
            sentence.index = position
            sentence.text = document.original(sentence.start, sentence.end)
        article.date_year = _article_year(document.norm[article.start : article.end])
        digest = hashlib.sha1(document.norm[article.start : article.end].encode()).hexdigest()
        article.doc_id = digest[:16]
        articles.append(article)
    return [article for article in articles if article.sentences or article.headline]


def _is_byline(line: str) -> bool:
    """◎本报记者 魏依晨 通讯员 周金宇 is a byline; 记者：园区有哪些优势？ (an interview) is not."""
    if not _BYLINE.match(line) or len(line) > 60 or re.search(r"[:：。？?！!]", line):
        return False
    names = _byline_people(line)
    return bool(names) and all(2 <= len(name) <= 4 for name in names)


def _byline_people(byline: str) -> list[str]:
    """Names of the people in a byline such as ``◎本报记者 魏依晨 通讯员 周金宇``."""
    if not byline:
        return []
    cleaned = _BYLINE_ROLES.sub(" ", re.sub(r"[◎○●■□()（）]", " ", byline))
    return [name for name in re.split(r"[\s,，、]+", cleaned) if 2 <= len(name) <= 4]


def _article_year(text: str) -> int | None:
    """The year of the article's dateline, when its first lines carry one."""
    match = _DATELINE.search(text[:300])
    return int(match.group(1)) if match else None


#: A "sentence" longer than this (a page with no 。 at all) is cut at its last ; or , before the
#: limit: the rules compare the names of one sentence pairwise, and real sentences are far shorter.
MAX_SENTENCE = 500
_SOFT_BREAK = re.compile(r"[;；,，、\s]")


def split_sentences(norm: str, start: int, end: int) -> list[Sentence]:
    """Split ``norm[start:end]`` into sentences at 。！？ (keeping closing quotes) and line ends."""
    spans: list[tuple[int, int]] = []
    position = start
    for match in _SENTENCE_END.finditer(norm, start, end):
        spans.extend(_bounded(norm, position, match.end()))
        position = match.end()
    spans.extend(_bounded(norm, position, end))
    sentences: list[Sentence] = []
    for first, stop in spans:
        piece = norm[first:stop].strip()
        if piece:
            lead = len(norm[first:stop]) - len(norm[first:stop].lstrip())
            sentences.append(Sentence(index=0, start=first + lead, end=first + lead + len(piece), text="", norm=piece))
    return sentences


def _bounded(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut into spans of at most :data:`MAX_SENTENCE` characters."""
    spans = []
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = max((m.end() for m in _SOFT_BREAK.finditer(norm, start + MAX_SENTENCE // 2, limit)), default=limit)
        spans.append((start, cut))
        start = cut
    spans.append((start, end))
    return spans
