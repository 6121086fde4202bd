"""HTTP sources: landing, provenance, key redaction and every failure mode, on recorded
responses (``responses``; no network)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import requests
import responses
from responses import registries

from orchestration.census.api_tables import read_exports_hitech
from orchestration.census.parse import CensusLayoutError
from orchestration.census.tables import EXPORT_HISTORY_TABLE
from orchestration.sources.census_api import HITECH_FIELDS, fetch_table, hitech_params
from orchestration.sources.http import SourceError, build_session, redact
from orchestration.sources.landing import land_url, read_manifest
from tests.fake_census import API, hitech_table, hs_table

KEY = "0123456789abcdef0123456789abcdef01234567"  # a fake 40-hex API key
#: The reader of landed exports/hs tables, as the export history table registers it.
read_exports_hs = next(form.read for form in EXPORT_HISTORY_TABLE.forms if form.many)
HITECH_URL = f"{API}/exports/hitech"


def fetch_hitech(root: Path, session: requests.Session | None = None, **kwargs):
    return fetch_table(
        session or build_session(max_retries=2, backoff_factor=0),
        HITECH_URL,
        hitech_params(2010),
        root,
        "2010/api/exports_hitech.json",
        HITECH_FIELDS,
        year=2010,
        force=kwargs.pop("force", False),
        timeout=kwargs.pop("timeout", 5),
        secret=KEY,
        **kwargs,
    )


def assert_names_source_year_url_without_key(error: SourceError) -> None:
    text = str(error)
    assert text.startswith("census source, year 2010, https://api.census.gov/data/timeseries/intltrade/exports/hitech")
    assert KEY not in text and "key=REDACTED" in text


@responses.activate
def test_hitech_lands_with_manifest_row_and_redacted_url(tmp_path: Path) -> None:
    responses.get(HITECH_URL, json=hitech_table(2010), headers={"ETag": '"v1"'})
    path, downloaded = fetch_hitech(tmp_path)
    assert downloaded and json.loads(path.read_text())[0][0] == "CTY_CODE"
    row = read_manifest(tmp_path)["2010/api/exports_hitech.json"]
    assert row.http_status == 200 and row.size_bytes == path.stat().st_size and len(row.sha256) == 64
    assert row.etag == '"v1"' and "key=REDACTED" in row.url and KEY not in row.url
    assert responses.calls[0].request.url.count(f"key={KEY}") == 1  # the key is sent, only stored redacted
    # an already landed table is not requested again, unless forced
    fetch_hitech(tmp_path)
    assert len(responses.calls) == 1
    fetch_hitech(tmp_path, force=True)
    assert len(responses.calls) == 2


@responses.activate
def test_204_means_no_data(tmp_path: Path) -> None:
    responses.get(HITECH_URL, status=204)
    with pytest.raises(SourceError, match="HTTP 204: no data for this query") as error:
        fetch_hitech(tmp_path)
    assert_names_source_year_url_without_key(error.value)
    assert not (tmp_path / "2010").exists()


@responses.activate
def test_400_carries_the_reason(tmp_path: Path) -> None:
    responses.get(HITECH_URL, status=400, body="error: unknown variable 'HITECH_DESCX'")
    with pytest.raises(SourceError, match=r"HTTP 400: error: unknown variable 'HITECH_DESCX'") as error:
        fetch_hitech(tmp_path)
    assert_names_source_year_url_without_key(error.value)


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        f"Invalid API key {KEY} (not registered)",  # echoed bare
        f'{{"error": "bad key", "key": "{KEY}"}}',  # echoed as JSON
        f"<html>key={KEY}</html>",
    ],
)
def test_an_error_body_echoing_the_key_never_shows_it(tmp_path: Path, body: str) -> None:
    responses.get(HITECH_URL, status=400, body=body)
    with pytest.raises(SourceError) as error:
        fetch_hitech(tmp_path)
    assert "HTTP 400" in str(error.value) and "REDACTED" in str(error.value)
    assert_names_source_year_url_without_key(error.value)


def test_the_environment_key_is_masked_in_any_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENSUS_API_KEY", KEY)
    assert redact(f"request failed for {KEY}") == "request failed for REDACTED"
    assert redact("an ordinary message") == "an ordinary message"


@pytest.mark.parametrize("status", [429, 500, 503])
def test_429_and_5xx_are_retried_then_fail(tmp_path: Path, status: int) -> None:
    with responses.RequestsMock() as mock:
        mock.get(HITECH_URL, status=status, body="slow down")
        with pytest.raises(SourceError, match=rf"HTTP {status} after retries") as error:
            fetch_hitech(tmp_path)
        assert len(mock.calls) == 3  # the first attempt and max_retries=2 retries
    assert_names_source_year_url_without_key(error.value)


def test_a_retried_503_then_200_succeeds(tmp_path: Path) -> None:
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.get(HITECH_URL, status=503)
        mock.get(HITECH_URL, json=hitech_table(2010))
        path, _ = fetch_hitech(tmp_path)
    assert path.is_file()


@responses.activate
def test_timeout(tmp_path: Path) -> None:
    responses.get(HITECH_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(SourceError, match=r"timed out after 5 s") as error:
        fetch_hitech(tmp_path)
    assert_names_source_year_url_without_key(error.value)


@responses.activate
def test_malformed_json(tmp_path: Path) -> None:
    responses.get(HITECH_URL, body='[["CTY_CODE","CTY_NAME"],["5700"', content_type="application/json")
    with pytest.raises(SourceError, match="malformed JSON") as error:
        fetch_hitech(tmp_path)
    assert_names_source_year_url_without_key(error.value)
    assert read_manifest(tmp_path) == {}


@responses.activate
def test_unexpected_header(tmp_path: Path) -> None:
    responses.get(HITECH_URL, json=[["CTY_CODE", "CTY_NAME", "HITECH", "GEN_VAL_MO", "GEN_VAL_YR", "time"]])
    with pytest.raises(
        SourceError,
        match=r"unexpected header .* missing \['HITECH_DESC', 'ALL_VAL_MO', "
        r"'ALL_VAL_YR'\], unexpected \['GEN_VAL_MO', 'GEN_VAL_YR'\]",
    ):
        fetch_hitech(tmp_path)


@responses.activate
def test_missing_key_html_page_is_an_authentication_error(tmp_path: Path) -> None:
    responses.get(HITECH_URL, body="<html><body>Missing Key</body></html>", content_type="text/html")
    with pytest.raises(SourceError, match="HTML page"):
        fetch_hitech(tmp_path)


@responses.activate
def test_failed_refetch_keeps_the_landed_copy(tmp_path: Path) -> None:
    responses.get(HITECH_URL, json=hitech_table(2010))
    path, _ = fetch_hitech(tmp_path)
    before = path.read_bytes()
    responses.replace(responses.GET, HITECH_URL, status=500)
    with pytest.raises(SourceError):
        fetch_hitech(tmp_path, force=True)
    assert path.read_bytes() == before


@responses.activate
def test_conditional_get_keeps_an_unchanged_file(tmp_path: Path) -> None:
    url = "https://www.census.gov/foreign-trade/schedules/b/2010/exp-code.txt"
    responses.get(url, body="A" * 245 + "\r\n", headers={"ETag": '"e1"'})
    session = build_session(max_retries=0, backoff_factor=0)
    row, downloaded = land_url(session, url, tmp_path, "2010/CONCORD.TXT", source="census", year=2010)
    assert downloaded and row.etag == '"e1"'
    responses.replace(responses.GET, url, status=304)
    _, downloaded = land_url(session, url, tmp_path, "2010/CONCORD.TXT", source="census", year=2010)
    assert not downloaded and responses.calls[-1].request.headers["If-None-Match"] == '"e1"'


def test_redact() -> None:
    assert redact(f"https://x/y?get=A&key={KEY}&time=2010") == "https://x/y?get=A&key=REDACTED&time=2010"
    assert redact(f"failed for {KEY}", KEY) == "failed for REDACTED"


def _land_json(root: Path, relative: str, table: list[list[str]]) -> None:
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).write_text(json.dumps(table))


def test_hs_rows_map_onto_the_export_history_schema_and_aggregates_are_counted(tmp_path: Path) -> None:
    codes = ["8542310000", "8471300000", "3002200000"]
    _land_json(tmp_path, "2010/api/exports_hs_df1_001.json", hs_table(2010, "1", codes))
    _land_json(tmp_path, "2010/api/exports_hs_df2_001.json", hs_table(2010, "2", codes))
    con = duckdb.connect()
    info = read_exports_hs(
        con, tmp_path, ["2010/api/exports_hs_df1_001.json", "2010/api/exports_hs_df2_001.json"], 2010, "t"
    )
    rows = con.execute(
        "select df_code, hs10_code, cty_code, value_usd, stat_year from t "
        "where hs10_code = '8542310000' order by df_code, cty_code"
    ).fetchall()
    # China 8542310000: DF 1 1000, DF 2 100; Hong Kong DF 1 400; Japan DF 1 2000 (tests/fake_census.py HS)
    assert rows == [
        ("1", "8542310000", "5700", 1000, 2010),
        ("1", "8542310000", "5820", 400, 2010),
        ("1", "8542310000", "5880", 2000, 2010),
        ("2", "8542310000", "5700", 100, 2010),
    ]
    # per HS10 code and DF: one total row, one 0003 grouping, one 5XXX continent (3 + 1 codes)
    counts = info.dropped
    assert (counts["dropped_total_rows"], counts["dropped_grouping_rows"], counts["dropped_continent_rows"]) == (
        4,
        4,
        4,
    )


def test_non_numeric_api_value_names_file_record_and_field(tmp_path: Path) -> None:
    table = hs_table(2010, "1", ["8542310000"])
    table[2][3] = "12x4"
    _land_json(tmp_path, "2010/api/exports_hs_df1_001.json", table)
    with pytest.raises(CensusLayoutError, match=r"2010/api/exports_hs_df1_001.json, record 3, field ALL_VAL_YR"):
        read_exports_hs(duckdb.connect(), tmp_path, ["2010/api/exports_hs_df1_001.json"], 2010, "t")


def test_hitech_annual_value_is_december_year_to_date(tmp_path: Path) -> None:
    _land_json(tmp_path, "2010/api/exports_hitech.json", hitech_table(2010))
    con = duckdb.connect()
    counts = read_exports_hitech(con, tmp_path, ["2010/api/exports_hitech.json"], 2010, "t").dropped
    # China electronics 2010: June 550 (year to date 550), December 550 (year to date 1100)
    assert con.execute(
        "select annual_value_usd, monthly_sum_usd, months_reported from t "
        "where cty_code = '5700' and hitech_code = '05'"
    ).fetchone() == (1100, 1100, 2)
    others = "select count(*) from t where cty_code not in ('1220', '5700', '5820', '5880')"
    assert con.execute(others).fetchone()[0] == 0
    assert (counts["dropped_total_rows"], counts["dropped_grouping_rows"], counts["dropped_continent_rows"]) == (
        1,
        1,
        1,
    )
    # one all-commodities row and one "00" row per country: Canada, China, Hong Kong, Japan
    assert (counts["dropped_hitech_total_rows"], counts["dropped_not_atp_rows"]) == (4, 4)


def test_api_totals_comparison_reports_differences_over_the_threshold() -> None:
    from orchestration.checks import compare_api_totals

    con = duckdb.connect()
    assert compare_api_totals(con) == (0, [])  # no API table: nothing to compare
    con.execute("create schema raw")
    con.execute(
        "create table raw.api_hitech_exports (year int, cty_code varchar, hitech_code varchar, annual_value_usd bigint)"
    )
    con.execute(
        "create table fct_atp_exports (year int, cty_code varchar, hitech_code varchar, export_value_usd bigint)"
    )
    # China 05: 1,000 million vs 1,004 million (0.4 %, under 0.5 %); Japan 01: 10 million vs 12 million
    # (over 1 million USD and over 0.5 %); Canada 04: only in the fact (2 million over); 2009: no API year
    con.execute(
        "insert into raw.api_hitech_exports values (2010, '5700', '05', 1000000000), (2010, '5880', '01', 10000000)"
    )
    con.execute(
        "insert into fct_atp_exports values (2010, '5700', '05', 1004000000), (2010, '5880', '01', 12000000), "
        "(2010, '1220', '04', 2000000), (2009, '1220', '04', 5)"
    )
    compared, over = compare_api_totals(con)
    assert compared == 2
    assert over == [(2010, "1220", "04", 0, 2000000, 2000000), (2010, "5880", "01", 10000000, 12000000, 2000000)]


def test_hs_table_of_another_year_is_rejected(tmp_path: Path) -> None:
    table = hs_table(2010, "1", ["8542310000"])
    table[2][4] = "2009-12"  # the time column of the second data row
    _land_json(tmp_path, "2010/api/exports_hs_df1_001.json", table)
    with pytest.raises(CensusLayoutError, match=r"2010/api/exports_hs_df1_001.json, record 3, field time"):
        read_exports_hs(duckdb.connect(), tmp_path, ["2010/api/exports_hs_df1_001.json"], 2010, "t")


def test_hs_tables_holding_only_headers_are_no_data_not_an_empty_year(tmp_path: Path) -> None:
    header = hs_table(2010, "1", ["8542310000"])[0]
    for name in ("exports_hs_df1_001.json", "exports_hs_df2_001.json"):
        _land_json(tmp_path, f"2010/api/{name}", [header])
    relatives = ["2010/api/exports_hs_df1_001.json", "2010/api/exports_hs_df2_001.json"]
    with pytest.raises(CensusLayoutError, match=r"hold no country rows: no data for 2010"):
        read_exports_hs(duckdb.connect(), tmp_path, relatives, 2010, "t")


@pytest.mark.parametrize(
    ("row_change", "field"),
    [
        (lambda row: row[:3], "row"),  # fewer values than the header
        (lambda row: [*row[:3], "1" * 19, *row[4:]], "ALL_VAL_YR"),  # 19 digits: over BIGINT
    ],
)
def test_hs_rows_too_short_or_too_large_are_named(tmp_path: Path, row_change, field: str) -> None:
    table = hs_table(2010, "1", ["8542310000"])
    table[1] = row_change(table[1])
    _land_json(tmp_path, "2010/api/exports_hs_df1_001.json", table)
    with pytest.raises(CensusLayoutError, match=rf"2010/api/exports_hs_df1_001.json, record 2, field {field}"):
        read_exports_hs(duckdb.connect(), tmp_path, ["2010/api/exports_hs_df1_001.json"], 2010, "t")


def test_hs_tables_are_keyed_by_their_request_so_a_changed_code_list_reuses_none_wrongly(tmp_path: Path) -> None:
    from orchestration.resources import SourceResource
    from orchestration.sources.census import CensusDownloader
    from tests.fake_census import CONCORD_URL, FakeCensus
    from tests.tiny_input import LISTS, schedule_b

    source = SourceResource(source="census", landing_dir=str(tmp_path), hs_codes_per_request=1, max_retries=0)
    api = tmp_path / "census" / "2011" / "api"

    def landed() -> dict[str, set[str]]:
        """HS10 codes of the detail rows in each landed exports/hs table."""
        return {
            p.name: {row[0] for row in json.loads(p.read_text())[1:] if row[1].isdigit() and row[1][0] != "0"}
            for p in sorted(api.glob("exports_hs_df*.json"))
        }

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeCensus(mock)
        downloader: CensusDownloader = source.census_downloader()
        downloader.export_history(2011)
        first = landed()
        # 2011's ATP codes, one request each, DF 1 and 2: 8 tables, each named after its code
        assert len(first) == 8
        assert {name: codes for name, codes in first.items() if codes} == {
            name: {name.split("_")[3]} for name, codes in first.items() if codes
        }
        # a later edition of the list drops 8471300000 from ATP: with tables numbered by position,
        # the second table (8471300000) would have been reused for the second code now, 8542310000
        lines = [schedule_b(code, "00" if code == "8471300000" else group) for code, group in LISTS[2011]]
        mock.replace(responses.GET, CONCORD_URL.format(year=2011), body="".join(f"{line}\r\n" for line in lines))
        calls_before = len(fake.calls)
        downloader.export_history(2011)
        second = landed()
    assert not any(name.split("_")[3] == "8471300000" for name in second)  # its tables are removed
    assert len(second) == 6 and set(second) < set(first)  # the others are reused: same request, same table
    assert "hs" not in fake.calls[calls_before:]
    assert set().union(*second.values()) == {"3002200000", "8542310000", "9018908000"}
