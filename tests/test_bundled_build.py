"""The main job on the bundled sample (2000-2023), as ``make run`` builds it, in a temporary
warehouse: world ATP totals equal the real Census 0007 totals to the dollar every year, no money
is a float anywhere, and every artefact says which inputs are real and which synthetic."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.census.parse import read_country_trade
from tests.conftest import COUNTRY_TRADE_XLSX
from tests.test_end_to_end import run_job

YEARS = list(range(2000, 2024))
#: Column names that hold money (USD, whole or millions or billions, values of exports/imports).
MONEY = re.compile(r"usd|value|^[ei](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|yr)$|exports|imports")
#: Float columns allowed: ratios, shares, percentage points, indexes, growth rates.
RATIO = re.compile(r"share|_pp$|_pct$|growth|index")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bundled")
    paths = {"duckdb": root / "atp.duckdb", "exports": root / "exports"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATP_DUCKDB_PATH", str(paths["duckdb"]))
        patch.setenv("ATP_EXPORTS_DIR", str(paths["exports"]))
        patch.delenv("ATP_SOURCE", raising=False)
        assert run_job(YEARS[0], YEARS[-1]).success, "the main job (and every dbt test) must succeed on the bundle"
    return paths


def test_world_atp_in_fact_equals_real_0007_to_the_dollar(bundled) -> None:
    # the real 0007 EYR of country.xlsx (millions of USD, 6 decimals) in whole USD, read here
    # from the workbook independently of the warehouse's raw table
    rows = read_country_trade(COUNTRY_TRADE_XLSX, "country.xlsx").to_pylist()
    published = {r["year"]: int(r["eyr"] * 1_000_000) for r in rows if r["cty_code"] == "0007" and r["year"]}
    assert published[2022] == 391_463_209_076
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        totals = dict(con.execute("select year, sum(export_value_usd) from fct_atp_exports group by year").fetchall())
    assert sorted(totals) == YEARS
    assert {year: totals[year] - published[year] for year in YEARS} == dict.fromkeys(YEARS, 0)


def test_no_money_column_is_a_float_in_raw_tables_models_or_exports(bundled) -> None:
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        columns = con.execute(
            "select table_schema || '.' || table_name, column_name, data_type from information_schema.columns "
            "where table_schema in ('raw', 'main')"
        ).fetchall()
    floats = [(t, c) for t, c, kind in columns if kind in ("DOUBLE", "FLOAT", "REAL")]
    assert floats, "the marts do hold float shares; the test must see them"
    assert [(t, c) for t, c in floats if MONEY.search(c) or not RATIO.search(c)] == []
    money = {(t, c): kind for t, c, kind in columns if MONEY.search(c) and not RATIO.search(c)}
    assert money[("raw.country_trade", "eyr")] == "DECIMAL(18,6)"
    assert money[("main.fct_atp_exports", "export_value_usd")] == "BIGINT"
    parquet = sorted(bundled["exports"].glob("*.parquet"))
    assert len(parquet) == 5
    for path in parquet:
        for field in pq.read_schema(path):
            # a float column must be a ratio, whatever its name; a money column must be a decimal
            if pa.types.is_floating(field.type):
                assert RATIO.search(field.name) and not MONEY.search(field.name), (path.name, field.name)
            if MONEY.search(field.name) and not RATIO.search(field.name):
                assert pa.types.is_decimal(field.type), (path.name, field.name, field.type)
    assert pq.read_schema(bundled["exports"] / "figure_1_china_atp_exports.parquet").field(
        "world_atp_exports_usd_billions"
    ).type == pa.decimal128(18, 9)


def test_world_totals_in_figure_1_are_exact(bundled) -> None:
    import csv

    with (bundled["exports"] / "figure_1_china_atp_exports.csv").open() as handle:
        world = {int(r["year"]): r["world_atp_exports_usd_billions"] for r in csv.DictReader(handle)}
    # 0007 EYR: 2022 = 391,463.209076 million USD (real), 2000 = 227,395 million
    assert world[2022] == "391.463209076" and world[2000] == "227.395000000"


def test_real_and_synthetic_inputs_are_labelled(bundled) -> None:
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        assert con.execute("select bool_and(is_synthetic) from mart_specialization_gaps").fetchone()[0] is True
        lists = dict(
            con.execute("select year, bool_or(is_synthetic) from raw.atp_concordance group by year").fetchall()
        )
        assert lists[2019] is False and all(lists[y] for y in YEARS if y != 2019)
        assert con.execute("select bool_or(is_synthetic) from raw.country_trade").fetchone()[0] is False
        comment = con.execute("select comment from duckdb_tables() where table_name = 'fct_atp_exports'").fetchone()[0]
        from orchestration.provenance import origin_lines

        lines = origin_lines(con)
    assert "SYNTHETIC" in comment
    assert "ATP list: Census 2019; SYNTHETIC 2000-2018, 2020-2023" in lines
    assert "export history: SYNTHETIC 2000-2023" in lines
    assert "country table: Census 2000-2023 (country_trade/country.xlsx, vintage 2024-06)" in lines
    caption = pq.read_table(bundled["exports"] / "figure_2_china_composition.parquet").schema.metadata[b"caption"]
    assert b"SYNTHETIC" in caption and b"Real Census inputs: ATP list 2019; country table 2000-2023" in caption
    figure_1 = pq.read_table(bundled["exports"] / "figure_1_china_atp_exports.parquet").to_pydict()
    assert set(figure_1["data_origin"]) == {"synthetic sample"}
    # the briefing's estimate: about 13 % a year over 2000-2008
    china = dict(zip(figure_1["year"], figure_1["china_atp_exports_usd_billions"], strict=True))
    assert float(china[2008] / china[2000]) ** (1 / 8) - 1 == pytest.approx(0.13, abs=0.01)


def test_no_year_is_left_out_and_no_code_is_unlisted(bundled) -> None:
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        assert con.execute("select count(*) from int_export_history_years where not is_complete_year").fetchone() == (
            0,
        )
        assert con.execute("select count(*) from int_hs10_codes_missing_from_list").fetchone() == (0,)
