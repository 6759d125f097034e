"""SPARQL on kg graphs: bundled queries, parameters, both engines, results formats, the CLI,
and round trips of what we write through Oxigraph's parsers."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from kg.cli import main
from kg.errors import InputError, QueryError, UsageError
from kg.export import serialize
from kg.ontology import expand_iri
from kg.query import (
    PREFIXES,
    QueryTimeout,
    Results,
    bundled,
    bundled_queries,
    is_update,
    load_store,
    parse_param,
    run,
    run_bundled,
)

ROOT = Path(__file__).resolve().parents[1]
KG = "https://w3id.org/parkkg/ontology#"
CNY = "http://qudt.org/vocab/unit/CCY_CNY"
CHANGZHOU = "常州国家高新区"


@pytest.fixture(scope="module")
def built(seed_result):
    return seed_result


@pytest.fixture(scope="module")
def graph(seed_graph) -> Graph:
    return seed_graph


@pytest.fixture(scope="module")
def graph_file(graph, tmp_path_factory) -> Path:
    return Path(serialize(graph, "turtle", tmp_path_factory.mktemp("query") / "graph.ttl"))


@pytest.fixture(scope="module")
def store(graph_file):
    return load_store(graph_file)


def canonical(results: Results) -> set[tuple[str, ...]]:
    """Rows as comparable tuples of N-Triples-like text (order and engine do not matter)."""
    return {tuple(_term_key(term) for term in row) for row in results.rows}


def _term_key(term):
    """Literals by value (1.0 and 1.00 are the same decimal), other terms by their text."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        return (term.language, term.datatype, term.value if term.value is not None else str(term))
    return term.n3()


# -- bundled queries ---------------------------------------------------------------------
EXPECTED_QUERIES = {
    "park-enterprises",
    "policies-by-issuer",
    "figures",
    "park-ranking",
    "growth-rates",
    "people-posts",
    "evidence",
}


def test_query_bundled_catalogue_has_descriptions():
    queries = bundled_queries()
    assert set(queries) >= EXPECTED_QUERIES
    for query in queries.values():
        assert query.description and "\n" not in query.description
        assert query.text.lstrip().startswith("# description:")


@pytest.mark.parametrize("name", sorted(EXPECTED_QUERIES))
def test_query_bundled_returns_rows_on_seeds(store, name):
    results = run_bundled(store, name)
    assert results.kind == "select"
    assert len(results) > 0
    # parameter columns (constant) are not shown
    assert not set(bundled(name).param_names) & set(results.variables)


@pytest.mark.parametrize("name", sorted(EXPECTED_QUERIES))
def test_query_engines_agree_on_bundled(graph, store, name):
    assert canonical(run_bundled(graph, name)) == canonical(run_bundled(store, name))


@pytest.mark.parametrize(
    "name, bindings",
    [
        ("figures", {"name": CHANGZHOU}),
        ("park-enterprises", {"park": "稀土高新区"}),
        ("park-ranking", {"indicator": "产值"}),
        ("evidence", {"predicate": "hosts"}),
        ("evidence", {"predicate": URIRef(KG + "achieves"), "subject": CHANGZHOU}),
        ("evidence", {"predicate": "kg:hosts"}),
        ("people-posts", {"organisation": "南昌高新区"}),
        ("policies-by-issuer", {"issuer": "南昌高新区"}),
        ("growth-rates", {"name": CHANGZHOU}),
    ],
)
def test_query_engines_agree_with_bindings(graph, store, name, bindings):
    from_rdflib = canonical(run_bundled(graph, name, bindings=bindings))
    from_oxigraph = canonical(run_bundled(store, name, bindings=bindings))
    assert from_rdflib == from_oxigraph
    assert from_oxigraph  # each of these facts is in the seed corpus


def test_query_figures_of_changzhou_include_1100_yi_industrial_output(store):
    rows = run_bundled(store, "figures", bindings={"name": CHANGZHOU}).records()
    assert rows and {row["entityName"] for row in rows} == {CHANGZHOU}
    output = [row for row in rows if "产值" in row["indicator"] and row["value"] == 1.1e11]
    assert output, rows
    assert output[0]["unit"] == CNY
    assert output[0]["year"] == "2023"
    assert output[0]["entityType"] == "Park"


def test_query_park_enterprises_every_row_is_a_hosted_enterprise(store):
    rows = run_bundled(store, "park-enterprises").records()
    parks = {row["parkName"] for row in rows}
    assert len(parks) >= 1
    assert all(row["enterpriseName"] for row in rows)
    only = run_bundled(store, "park-enterprises", bindings={"park": next(iter(parks))}).records()
    assert only and {row["parkName"] for row in only} == {next(iter(parks))}


def test_query_park_ranking_is_sorted_and_excludes_growth_rates(store):
    rows = run_bundled(store, "park-ranking", bindings={"indicator": "产值"}).records()
    assert rows
    money = [row["value"] for row in rows if row["unit"] == CNY]
    assert money == sorted(money, reverse=True)
    assert not any("增长" in row["metricIndicator"] for row in rows)
    assert any(row["parkName"] == CHANGZHOU and row["value"] == 1.1e11 for row in rows)


def test_query_growth_rates_point_at_the_figure_that_grew(store):
    rows = run_bundled(store, "growth-rates").records()
    assert rows
    for row in rows:
        assert row["base"] and row["metric"] != row["base"]
    changzhou = [row for row in rows if row["entityName"] == CHANGZHOU]
    assert any(row["baseValue"] == 1.1e11 for row in changzhou)


def test_query_evidence_names_sentence_and_article(store):
    rows = run_bundled(store, "evidence", bindings={"predicate": "hosts"}).records()
    assert rows
    for row in rows:
        assert row["property"] == KG + "hosts"
        assert row["text"] and row["article"].startswith("https://w3id.org/parkkg/id/article/")
        assert row["objectName"] in row["text"] or row["startOffset"] is not None


def test_query_people_posts_link_people_to_organisations(store):
    rows = run_bundled(store, "people-posts").records()
    assert any(row["title"] and row["organisationName"] for row in rows)


def test_query_unknown_bundled_name_suggests_close_ones():
    with pytest.raises(UsageError, match="figures"):
        bundled("figure")


def test_query_unknown_parameter_is_refused(store):
    with pytest.raises(UsageError, match=r"takes \?name"):
        run_bundled(store, "figures", bindings={"park": "x"})


# -- parameters are bound, never pasted --------------------------------------------------
INJECTION = '常州国家高新区") } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("'


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_parameter_values_cannot_change_the_query(graph, store, engine):
    source = store if engine == "oxigraph" else graph
    results = run_bundled(source, "figures", bindings={"name": INJECTION})
    assert len(results) == 0


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_label_parameter_also_takes_an_iri(graph, store, engine):
    source = store if engine == "oxigraph" else graph
    by_name = run_bundled(source, "figures", bindings={"name": CHANGZHOU})
    park = by_name.records()[0]["entityIri"]
    by_iri = run_bundled(source, "figures", bindings={"name": URIRef(park)})
    assert canonical(by_iri) == canonical(by_name)


def test_query_label_parameter_needs_the_exact_name(store):
    assert len(run_bundled(store, "figures", bindings={"name": "常州"})) == 0
    assert len(run_bundled(store, "figures", bindings={"name": Literal(CHANGZHOU, lang="zh")})) > 0


@pytest.mark.parametrize(
    "value, expected",
    [
        ("hosts", KG + "hosts"),
        ("kg:issues", KG + "issues"),
        (KG + "achieves", KG + "achieves"),
        (f"<{KG}partOf>", KG + "partOf"),
    ],
)
def test_query_kg_term_parameter(value, expected):
    assert bundled("evidence").bind({"predicate": value}) == {"predicate": URIRef(expected)}


def test_query_kg_term_parameter_rejects_junk():
    with pytest.raises(UsageError, match="not a property"):
        bundled("evidence").bind({"predicate": "no such thing"})


@pytest.mark.parametrize(
    "text, name, term",
    [
        ("name=常州国家高新区", "name", Literal("常州国家高新区")),
        ("?park=<https://w3id.org/parkkg/id/park/x>", "park", URIRef("https://w3id.org/parkkg/id/park/x")),
        ("q=a=b", "q", Literal("a=b")),
    ],
)
def test_query_parse_param(text, name, term):
    assert parse_param(text) == (name, term)


@pytest.mark.parametrize("text", ["novalue", "=x", "1abc=x", "a b=x"])
def test_query_parse_param_rejects_bad_names(text):
    with pytest.raises(UsageError):
        parse_param(text)


def test_query_binding_an_unselected_variable_is_explained(store):
    with pytest.raises(UsageError, match=r"SELECT \?x"):
        run(store, "SELECT ?s WHERE { ?s a kg:Park . FILTER(STR(?s) = ?x) }", bindings={"x": "a"})


# -- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_malformed_sparql_names_line_and_column(graph_file, engine):
    with pytest.raises(QueryError) as caught:
        run(graph_file, "SELECT ?p WHERE {\n  ?p a kg:Park .\n  FILTER(?p = )\n}", engine=engine)
    message = str(caught.value)
    # Each parser reports where it gave up: rdflib at the start of FILTER, Oxigraph after ")".
    line = caught.value.line  # type: ignore[attr-defined]
    assert line in (3, 4)
    assert f"malformed SPARQL at line {line}, column {caught.value.column}: " in message  # type: ignore[attr-defined]
    assert message.rstrip().endswith("^")  # the line itself, with a caret under the column


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_updates_are_refused(graph_file, engine):
    with pytest.raises(QueryError, match="SPARQL Update"):
        run(graph_file, "INSERT DATA { <http://a> <http://b> <http://c> }", engine=engine)


def test_query_is_update():
    assert is_update("PREFIX ex: <http://e/> DELETE WHERE { ?s ex:p ?o }")
    assert not is_update("SELECT * WHERE { ?s ?p ?o }")


def test_query_missing_graph_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        run(tmp_path / "graph.ttl", "ASK {}")


def test_query_broken_graph_file_names_the_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', encoding="utf-8")
    from kg.errors import GraphParseError

    with pytest.raises(GraphParseError, match=r"bad\.ttl:3"):
        load_store(bad)


def test_query_time_limit_stops_a_runaway_query(store):
    with pytest.raises(QueryTimeout):
        run(store, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=0.05)


# -- results formats -----------------------------------------------------------------------
PARKS = "SELECT ?park ?name ?n WHERE { ?park a kg:Park ; rdfs:label ?name . BIND(42 AS ?n) OPTIONAL { ?park kg:nothing ?x } } ORDER BY ?name"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_query_results_formats_parse_back(store, fmt):
    results = run(store, PARKS)
    text = results.serialize(fmt)
    parsed = Result.parse(io.BytesIO(text.encode("utf-8")), format=fmt)
    assert [str(v) for v in parsed.vars] == results.variables
    rows = [tuple(row) for row in parsed]
    if fmt == "csv":  # CSV keeps only lexical forms
        assert [tuple(str(v) for v in row) for row in rows] == [tuple(str(v) for v in row) for row in results.rows]
    else:
        assert rows == results.rows


def test_query_json_is_sparql_results_json(store):
    document = json.loads(run(store, PARKS).serialize("json"))
    assert document["head"]["vars"] == ["park", "name", "n"]
    first = document["results"]["bindings"][0]
    assert first["park"]["type"] == "uri"
    assert first["name"] == {"type": "literal", "value": first["name"]["value"], "xml:lang": "zh"}
    assert first["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert json.loads(run(store, "ASK { ?p a kg:Park }").serialize("json")) == {"head": {}, "boolean": True}


def test_query_csv_uses_crlf_and_plain_values(store):
    text = run(store, PARKS).serialize("csv")
    assert text.startswith("park,name,n\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0].startswith("https://w3id.org/parkkg/id/park/")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_query_table_aligns_chinese_columns(store):
    table = run_bundled(store, "park-enterprises").table()
    lines = table.splitlines()[:-1]  # the last line counts rows
    positions = []
    for line in lines:
        if set(line) <= {"-", "+"}:
            continue
        columns, width = [], 0
        for char in line:
            if char == "|":
                columns.append(width)
            width += _display_width(char)
        positions.append(columns)
    assert positions and all(p == positions[0] for p in positions)
    assert "park:南昌高新区 " in table  # IRIs shortened, readable and valid in a query
    assert table.splitlines()[-1].endswith("rows)")


def test_query_table_truncates_wide_cells(store):
    table = run_bundled(store, "evidence").table(max_width=20)
    assert "…" in table
    cells = [cell.strip() for line in table.splitlines()[2:-1] for cell in line.split(" | ")]
    iris = [cell for cell in cells if expand_iri(cell, PREFIXES)]
    assert max(_display_width(cell) for cell in cells if cell not in iris) <= 20
    assert max(_display_width(cell) for cell in iris) > 20 and not any("…" in cell for cell in iris)  # IRIs stay whole


def test_query_construct_returns_a_graph(store):
    results = run(store, "CONSTRUCT { ?p a kg:Park } WHERE { ?p a kg:Park }")
    assert results.kind == "graph" and len(results) > 0
    again = Graph().parse(data=results.serialize("turtle"), format="turtle")
    assert len(again) == len(results)


def test_query_dataframe_keeps_numbers(store):
    frame = run_bundled(store, "figures", bindings={"name": CHANGZHOU}).to_dataframe(compact=True)
    assert frame["value"].dtype.kind == "f"
    assert "unit:CCY_CNY" in set(frame["unit"])


def test_query_python_values():
    results = Results(
        "select", ["v"], _raw=[(Literal(Decimal("1.5")),), (Literal(3),), (Literal("x", lang="zh"),), (None,)]
    )
    assert results.values("v") == [1.5, 3, "x", None]


# -- command line -----------------------------------------------------------------------
def test_query_cli_list(capsys):
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    for name in EXPECTED_QUERIES:
        assert name in out
    assert "--param name=" in out


def test_query_cli_bundled_with_param_as_csv(graph_file, capsys):
    status = main(["query", "-g", str(graph_file), "figures", "--param", f"name={CHANGZHOU}", "--format", "csv"])
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and all(row["entityName"] == CHANGZHOU for row in rows)
    assert any(row["value"] in ("110000000000", "110000000000.0") and row["unit"] == CNY for row in rows)


def test_query_cli_sparql_text_as_json(graph_file, capsys):
    assert (
        main(["query", "-g", str(graph_file), "SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Park }", "--format", "json"])
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert int(document["results"]["bindings"][0]["n"]["value"]) >= 1


def test_query_cli_file(graph_file, tmp_path, capsys):
    query = tmp_path / "parks.rq"
    query.write_text("SELECT ?name WHERE { ?p a kg:Park ; rdfs:label ?name }", encoding="utf-8")
    assert main(["query", "-g", str(graph_file), "-f", str(query)]) == 0
    assert CHANGZHOU in capsys.readouterr().out


def test_query_cli_malformed_exits_nonzero(graph_file, capsys):
    assert main(["query", "-g", str(graph_file), "SELECT ?p WHERE { ?p a }"]) != 0
    err = capsys.readouterr().err
    assert "line 1, column" in err


def test_query_cli_needs_exactly_one_query(graph_file, capsys):
    assert main(["query", "-g", str(graph_file)]) == 2
    assert "give one query" in capsys.readouterr().err


# -- round trips through Oxigraph -------------------------------------------------------------
def _triples_from_oxigraph(data: bytes, fmt) -> set:
    from kg.rdfio import to_rdflib as _to_rdflib

    return {
        (_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)) for q in ox.parse(input=data, format=fmt)
    }


def _normal(triples) -> set:
    """Triples with literals compared by value where rdflib and Oxigraph may spell them apart."""
    return {(s, p, _term_key(o)) for s, p, o in triples}


@pytest.mark.parametrize(
    "fmt, oxformat",
    [("turtle", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("json-ld", ox.RdfFormat.JSON_LD)],
)
def test_query_roundtrip_through_oxigraph(graph, fmt, oxformat):
    text = serialize(graph, fmt)
    parsed = _triples_from_oxigraph(text.encode("utf-8"), oxformat)
    assert not any(isinstance(term, ox.BlankNode) for triple in parsed for term in triple)
    assert len(parsed) == len(graph)
    assert _normal(parsed) == _normal(graph)


def test_query_roundtrip_trig_keeps_named_graphs(built):
    from kg.rdfio import to_rdflib as _to_rdflib

    dataset = built.dataset()
    text = serialize(dataset, "trig")
    quads = list(ox.parse(input=text.encode("utf-8"), format=ox.RdfFormat.TRIG))

    def as_set(items) -> set:
        return {(s, p, _normal({(s, p, o)}).pop()[2], g) for s, p, o, g in items}

    ours = as_set(dataset.quads((None, None, None, None)))
    theirs = as_set(
        (
            _to_rdflib(q.subject),
            _to_rdflib(q.predicate),
            _to_rdflib(q.object),
            None if isinstance(q.graph_name, ox.DefaultGraph) else _to_rdflib(q.graph_name),
        )
        for q in quads
    )
    assert any(g is not None for *_, g in ours)  # one named graph per article
    assert theirs == ours
    # the union of the graphs is the graph we query
    assert {(s, p, o) for s, p, o, _ in theirs} == _normal(built.graph)


def test_query_trig_file_is_queried_as_the_union(built, tmp_path):
    target = serialize(built.dataset(), "trig", tmp_path / "graph.trig")
    results = run_bundled(target, "figures", bindings={"name": CHANGZHOU})
    assert any(row["value"] == 1.1e11 for row in results.records())


@pytest.mark.parametrize("unbuffered", ["", "1"], ids=["buffered", "unbuffered"])
def test_cli_output_piped_into_a_reader_that_stops_ends_quietly(unbuffered):
    """kg query --list | head -1: no traceback when the reader closes the pipe early."""
    import os
    import subprocess
    import sys

    environment = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    child = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "query", "--list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader goes away before kg has written anything
    error = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait(timeout=60) in (0, 141)
    assert "Traceback" not in error and "BrokenPipe" not in error


# -- hostile input on the command line --------------------------------------------------------
NESTED = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
BAD_QUERY_INPUTS = {
    "relative IRI parameter": (["SELECT ?v WHERE { ?s ?p ?v } LIMIT 1", "--param", "v=<a>"], "not an absolute IRI"),
    "IRI parameter with a space": (
        ["SELECT ?v WHERE { ?s ?p ?v } LIMIT 1", "--param", "v=<http://a b>"],
        "not an absolute IRI",
    ),
    "bundled query, IRI parameter": (["park-enterprises", "--param", "name=<a>"], "not an absolute IRI"),
    "endless query file": (["-f", "/dev/zero"], "larger than 1 MB"),
    "missing query file": (["-f", "/nonexistent/q.rq"], "cannot read the query"),
    "malformed query": (["SELECT * WHERE { ?s ?p }"], "malformed SPARQL"),
    "engine segfault: 5,000 nested parentheses": ([NESTED], "crashed"),
    "engine panic: ORDER BY over mixed types": (
        ["SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"],
        "crashed",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_QUERY_INPUTS))
def test_query_cli_bad_input_is_one_message_and_exit_2(graph_file, capfd, name):
    arguments, expected = BAD_QUERY_INPUTS[name]
    assert main(["query", "-g", str(graph_file), *arguments]) == 2
    err = capfd.readouterr().err
    assert err.startswith("kg: ") and expected in err and "Traceback" not in err and "panicked" not in err


def test_query_cli_binary_query_file(graph_file, tmp_path, capsys):
    binary = tmp_path / "q.rq"
    binary.write_bytes(b"SELECT\0 * WHERE {}")
    assert main(["query", "-g", str(graph_file), "-f", str(binary)]) == 2
    assert "NUL bytes" in capsys.readouterr().err


def test_query_cli_missing_graph_is_still_exit_1(tmp_path, capsys):
    assert main(["query", "-g", str(tmp_path / "graph.ttl"), "SELECT * WHERE { ?s ?p ?o }"]) == 1
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["<a>", "<http://a b>", "<http://[::1>"])
def test_query_parse_param_rejects_bad_iris(value):
    with pytest.raises(UsageError, match="not an absolute IRI"):
        parse_param("v=" + value)


# -- amounts as the source wrote them -------------------------------------------------------
_FIGURES_TTL = """
@prefix kg: <https://w3id.org/parkkg/ontology#> . @prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/parkkg/id/park/鹿鸣产业园> a kg:Park ; rdfs:label "鹿鸣产业园"@zh ;
    kg:achieves <https://w3id.org/parkkg/id/metric/a>, <https://w3id.org/parkkg/id/metric/b>,
                <https://w3id.org/parkkg/id/metric/c>, <https://w3id.org/parkkg/id/metric/d> .
<https://w3id.org/parkkg/id/metric/a> a kg:Metric ; kg:indicator "产值"@zh ; qudt:numericValue 50000000000.0 ;
    qudt:unit unit:CCY_CNY ; kg:surfaceText "近500亿元" .
<https://w3id.org/parkkg/id/metric/b> a kg:Metric ; kg:indicator "投资"@zh ; qudt:numericValue "1.4E7"^^xsd:decimal ;
    qudt:unit unit:CCY_CNY .
<https://w3id.org/parkkg/id/metric/c> a kg:Metric ; kg:indicator "人才"@zh ; qudt:numericValue 14700.0 ; qudt:unit kg:PersonCount .
<https://w3id.org/parkkg/id/metric/d> a kg:Metric ; kg:indicator "用地"@zh ; qudt:numericValue 3000.0 ; qudt:unit kg:Mu .
"""


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize(
    ("indicator", "amount", "value"),
    [
        ("产值", "近500亿元", 5e10),  # the source's own words
        ("投资", "1400万元", 1.4e7),  # no surface text: read out of the number in 万/亿
        ("人才", "1.47万人", 14700),
        ("用地", "3000亩", 3000),
    ],
)
def test_query_figures_show_the_amount_next_to_the_base_value(engine, indicator, amount, value):
    graph = Graph().parse(data=_FIGURES_TTL, format="turtle")
    results = run_bundled(graph, "figures", engine=engine)
    assert results.variables.index("amount") + 1 == results.variables.index("value")
    row = next(row for row in results.records() if row["indicator"] == indicator)
    assert (row["amount"], row["value"]) == (amount, value)
    assert "×" not in results.table() and "E+" not in results.table()


@pytest.mark.parametrize(
    ("name", "amount", "value"),
    [("figures", "amount", "value"), ("park-ranking", "amount", "value"), ("growth-rates", "baseAmount", "baseValue")],
)
def test_query_bundled_amounts_are_as_written_on_seeds(store, name, amount, value):
    rows = run_bundled(store, name).records()
    assert rows and all(row[amount] for row in rows if row[value] is not None)
    assert bundled(name).readable is not None


def test_query_bundled_bad_readable_line_is_refused():
    from kg.query import _parse_bundled

    with pytest.raises(QueryError, match="readable: AMOUNT VALUE UNIT"):
        _parse_bundled("x", "# description: x\n# readable: amount\nSELECT * WHERE {}")


def test_query_evidence_says_how_each_fact_was_found_in_words(store):
    """The evidence table reads each rule id out (stated / inferred, and why), for every rule."""
    from kg.extract.rules import reading

    rows = run_bundled(store, "evidence").records()
    assert rows
    for row in rows:
        known = reading(row["rule"])
        assert known is not None, row["rule"]
        assert row["how"] == (f"{known.why_zh} ({known.why_en})" if known.inferred else f"{known.zh} ({known.en})")
    assert any(reading(row["rule"]).inferred for row in rows) and not all(reading(row["rule"]).inferred for row in rows)
