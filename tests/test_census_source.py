"""The ``census`` source end to end against the fake Census Bureau (no network): the API path
gives exactly the fact rows the file path gives, failures leave the warehouse as it was, and
the next good run completes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
import responses

from orchestration.census.tables import missing_inputs
from tests.fake_census import API, FakeCensus
from tests.test_end_to_end import TINY_FACT_ROWS, TINY_FACT_SQL, run_job
from tests.tiny_input import write_tiny_input

KEY = "0123456789abcdef0123456789abcdef01234567"
RAW_TABLES = ("export_history", "atp_concordance", "countries", "country_trade", "api_hitech_exports")


def raw_snapshot(path: Path, year: int) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            t: con.execute(f"select * from raw.{t} where year = {year} order by all").fetchall() for t in RAW_TABLES
        }


@pytest.fixture(scope="module")
def census_warehouse(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict:
    root = tmp_path_factory.mktemp("census")
    paths = {"duckdb": root / "atp.duckdb", "exports": root / "exports", "landing": root / "landing"}
    with pytest.MonkeyPatch.context() as patch, responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        patch.setenv("ATP_DUCKDB_PATH", str(paths["duckdb"]))
        patch.setenv("ATP_EXPORTS_DIR", str(paths["exports"]))
        patch.setenv("ATP_SOURCE", "census")
        patch.setenv("ATP_LANDING_DIR", str(paths["landing"]))
        patch.setenv("CENSUS_API_KEY", KEY)
        fake = FakeCensus(mock)
        result = run_job(2010, 2011)
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        paths["result"] = result
        paths["fake"] = fake
    return paths


def test_api_path_gives_the_file_path_fact_rows(census_warehouse) -> None:
    # TINY_FACT_ROWS are the rows the file path builds from EXP_HIST.TXT (tests/test_end_to_end.py)
    with duckdb.connect(str(census_warehouse["duckdb"]), read_only=True) as con:
        assert con.execute(TINY_FACT_SQL).fetchall() == TINY_FACT_ROWS
        assert con.execute("select bool_or(is_synthetic) from fct_atp_exports").fetchone()[0] is False


def test_api_totals_check_passes(census_warehouse) -> None:
    evaluations = {e.asset_check_key.name: e for e in census_warehouse["result"].get_asset_check_evaluations()}
    check = evaluations["api_group_totals_match_fact"]
    assert check.passed and check.metadata["pairs_with_api_totals"].value == 14
    # 14 country x group pairs over 2010-2011 (tests/fake_census.py: 7 a year, Hong Kong's
    # included), June + December = annual
    ytd = evaluations["api_year_to_date_equals_monthly_sum"]
    assert ytd.passed and ytd.metadata["pairs_checked"].value == 14


def test_rows_trace_back_to_requests_with_the_key_redacted(census_warehouse) -> None:
    with duckdb.connect(str(census_warehouse["duckdb"]), read_only=True) as con:
        urls = con.execute(
            "select raw_table, source_file, source_url from raw.source_files where year = 2010 order by all"
        ).fetchall()
        row = con.execute(
            "select source_file, source_record from raw.export_history where year = 2010 "
            "and cty_code = '5700' and df_code = '2'"
        ).fetchone()
    by_file = {f: u for _, f, u in urls}
    # one request for 2010's three ATP codes; its table is named after the first code and the request
    assert re.fullmatch(r"2010/api/exports_hs_df2_3002200000_[0-9a-f]{10}\.json", row[0]) and row[1] >= 2
    assert by_file[row[0]].startswith(f"{API}/exports/hs?get=E_COMMODITY")
    assert "key=REDACTED" in by_file[row[0]] and "DF=2" in by_file[row[0]]
    assert by_file["2010/exp-code.txt"] == "https://www.census.gov/foreign-trade/schedules/b/2010/exp-code.txt"
    assert by_file["2010/COUNTRY.TXT"].startswith("derived from https://api.census.gov/")
    landing = census_warehouse["landing"]
    for path in landing.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in str(urls)
    assert all(q.get("key") == [KEY] for q in census_warehouse["fake"].queries)


def test_aggregate_rows_never_reach_the_fact(census_warehouse) -> None:
    with duckdb.connect(str(census_warehouse["duckdb"]), read_only=True) as con:
        assert (
            con.execute(
                "select count(*) from raw.export_history where not regexp_full_match(cty_code, '[1-9][0-9]{3}')"
            ).fetchone()[0]
            == 0
        )


def test_failure_keeps_the_previous_year_and_the_next_run_recovers(census_warehouse, monkeypatch) -> None:
    from dagster import materialize

    from orchestration.assets.raw import raw_assets
    from orchestration.resources import SourceResource, WarehouseResource

    monkeypatch.setenv("CENSUS_API_KEY", KEY)
    before = raw_snapshot(census_warehouse["duckdb"], 2011)
    warehouse = WarehouseResource(duckdb_path=str(census_warehouse["duckdb"]))

    def materialize_2011(force: bool):
        source = SourceResource(
            source="census",
            landing_dir=str(census_warehouse["landing"]),
            force_download=force,
            max_retries=1,
            backoff_factor=0,
        )
        return materialize(
            raw_assets, partition_key="2011", resources={"warehouse": warehouse, "source": source}, raise_on_error=False
        )

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{API}/exports/hitech", status=503)
        mock.get(f"{API}/exports/hs", status=503)
        mock.get("https://www.census.gov/foreign-trade/schedules/b/2011/exp-code.txt", body="TRUNCATED\r\n")
        mock.get("https://www.census.gov/foreign-trade/statistics/country/country.xlsx", status=500)
        result = materialize_2011(force=True)
    assert not result.success
    from orchestration.failures import failure_lines

    messages = " ".join(failure_lines(result))
    assert "SourceError: census source, year 2011, https://api.census.gov/" in messages
    assert "CensusLayoutError: 2011/exp-code.txt, record 1, field record length" in messages
    assert "record has 9 characters, expected 245 (CONCORD.TXT) or 278" in messages
    assert KEY not in messages
    assert raw_snapshot(census_warehouse["duckdb"], 2011) == before
    # the truncated download was rejected before it could replace the landed concordance
    assert (census_warehouse["landing"] / "census" / "2011" / "exp-code.txt").read_text().startswith("8542310000")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        FakeCensus(mock)
        assert materialize_2011(force=True).success
    assert raw_snapshot(census_warehouse["duckdb"], 2011)["export_history"] == before["export_history"]


def test_local_folder_lists_everything_missing(tmp_path: Path) -> None:
    root = write_tiny_input(tmp_path / "input")
    shutil.rmtree(root / "2011")
    (root / "2010" / "COUNTRY.TXT").unlink()
    assert missing_inputs(root, [2010, 2011]) == [
        "2011/EXP_HIST.TXT (EM545/EA645 fixed width, record length 120) or "
        "2011/api/exports_hs_df1_*.json / 2011/api/exports_hs_df2_*.json (Census API exports/hs tables)",
        "2011/exp-code.txt / 2011/CONCORD.TXT (Schedule B exp-code.txt (278) or CONCORD.TXT (245))",
        "2010/COUNTRY.TXT (COUNTRY.TXT, record length 51)",
        "2011/COUNTRY.TXT (COUNTRY.TXT, record length 51)",
    ]


def test_the_census_source_lands_something_for_every_raw_table() -> None:
    """A raw table added to the registry without a landing step of the census source would fail
    only when a census run reaches it (KeyError): the two registries must name the same tables."""
    from orchestration.census.tables import RAW_TABLES
    from orchestration.sources.census import LANDS

    assert set(LANDS) == {table.name for table in RAW_TABLES}
