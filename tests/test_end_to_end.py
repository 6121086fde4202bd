"""End to end: materialize every asset (raw, dbt models and tests, figures) into a temporary
warehouse from the tiny hand-made input of ``tests/tiny_input.py``; expected values by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.tiny_input import write_tiny_input

#: fct_atp_exports of the tiny input, worked out by hand from tests/tiny_input.py:
#: (year, cty_code, hitech_code, export_value_usd, domestic_value_usd, foreign_value_usd)
TINY_FACT_ROWS = [
    # 2010: China 05 = 600 + 400 (DF1) + 100 (DF2); soybeans, 9018908000 (00 in 2010) and 0003 excluded
    (2010, "1220", "01", 250, 250, 0),
    (2010, "1220", "04", 1500, 1500, 0),
    (2010, "5700", "04", 500, 500, 0),
    (2010, "5700", "05", 1100, 1000, 100),
    (2010, "5820", "05", 400, 400, 0),
    (2010, "5880", "01", 750, 750, 0),
    (2010, "5880", "05", 2000, 2000, 0),
    # 2011: 9018908000 is Life Science (02) under the 2011 list
    (2011, "1220", "04", 1000, 1000, 0),
    (2011, "5700", "02", 400, 400, 0),
    (2011, "5700", "04", 800, 800, 0),
    (2011, "5700", "05", 2200, 2200, 0),
    (2011, "5820", "01", 600, 600, 0),
    (2011, "5880", "01", 1000, 1000, 0),
    (2011, "5880", "02", 500, 500, 0),
]
TINY_FACT_SQL = (
    "select year, cty_code, hitech_code, export_value_usd, domestic_value_usd, foreign_value_usd "
    "from fct_atp_exports order by all"
)


def run_job(first_year: int, last_year: int, run_config: dict | None = None):
    """Run ``atp_warehouse_job`` over a range of year partitions; returns the execution result."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import atp_warehouse_job
    from orchestration.tags import partition_range_tags

    job = defs.resolve_job_def(atp_warehouse_job.name)
    result = job.execute_in_process(
        instance=DagsterInstance.ephemeral(),
        run_config=run_config or {},
        tags=partition_range_tags(first_year, last_year),
        raise_on_error=False,
    )
    return result


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny")
    paths = {"duckdb": root / "atp.duckdb", "exports": root / "exports", "input": write_tiny_input(root / "input")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATP_DUCKDB_PATH", str(paths["duckdb"]))
        patch.setenv("ATP_EXPORTS_DIR", str(paths["exports"]))
        patch.setenv("ATP_SOURCE", "local")
        patch.setenv("ATP_LOCAL_DIR", str(paths["input"]))
        assert run_job(2010, 2011).success, "the job (including every dbt test) must succeed on the tiny input"
        with duckdb.connect(str(paths["duckdb"]), read_only=True) as con:
            paths["first_marts"] = con.execute("select * from fct_partner_shares order by all").fetchall()
        # Re-running the whole job must be safe and give identical marts.
        assert run_job(2010, 2011).success
    return paths


def query(paths: dict[str, Path], sql: str) -> list[tuple]:
    with duckdb.connect(str(paths["duckdb"]), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_fact_rows_by_hand(tiny_warehouse) -> None:
    assert query(tiny_warehouse, TINY_FACT_SQL) == TINY_FACT_ROWS


def test_fact_is_labelled_synthetic_and_has_no_grouping_code(tiny_warehouse) -> None:
    assert query(
        tiny_warehouse, "select bool_and(is_synthetic), count(*) filter (where cty_code like '0%') from fct_atp_exports"
    ) == [(True, 0)]


def test_partner_shares_by_hand(tiny_warehouse) -> None:
    rows = query(
        tiny_warehouse,
        "select partner_share, composition_share from fct_partner_shares "
        "where year = 2010 and partner_code = '5700' and definition = 'as_published' and hitech_code = '05'",
    )
    # China electronics 1100 of world electronics 600+400+100+400+2000 = 3500; of China ATP 1100 + 500 = 1600
    assert rows[0][0] == pytest.approx(1100 / 3500)
    assert rows[0][1] == pytest.approx(0.6875)


#: Specialization gaps of the tiny input by hand, as_published. World by group: 2010 01 = 250 +
#: 750 = 1000, 04 = 500 + 1500 = 2000, 05 = 1100 + 400 + 2000 = 3500 (total 6500); 2011 01 =
#: 1000 + 600 = 1600, 02 = 400 + 500 = 900, 04 = 800 + 1000 = 1800, 05 = 2200 (total 6500).
TINY_GAPS = [
    # China 5700. 2010: 1600 (04 500, 05 1100); rest of world 4900 (01 1000, 04 1500, 05 2400)
    ("5700", 2010, "01", 0, 1000, (0 - 1000 / 4900) * 100),
    ("5700", 2010, "04", 500, 1500, (0.3125 - 1500 / 4900) * 100),
    ("5700", 2010, "05", 1100, 2400, (0.6875 - 2400 / 4900) * 100),
    ("5700", 2010, "08", 0, 0, 0.0),
    # 2011: China 3400 (02 400, 04 800, 05 2200); rest of world 3100 (01 1600, 02 500, 04 1000)
    ("5700", 2011, "01", 0, 1600, (0 - 1600 / 3100) * 100),
    ("5700", 2011, "02", 400, 500, (400 / 3400 - 500 / 3100) * 100),
    ("5700", 2011, "05", 2200, 0, 2200 / 3400 * 100),
    # Japan 5880. 2010: 2750 (01 750, 05 2000); rest of world 3750 (01 250, 04 2000, 05 1500)
    ("5880", 2010, "01", 750, 250, (750 / 2750 - 250 / 3750) * 100),
    ("5880", 2010, "04", 0, 2000, (0 - 2000 / 3750) * 100),
    ("5880", 2010, "05", 2000, 1500, (2000 / 2750 - 1500 / 3750) * 100),
    # 2011: 1500 (01 1000, 02 500); rest of world 5000 (01 600, 02 400, 04 1800, 05 2200)
    ("5880", 2011, "01", 1000, 600, (1000 / 1500 - 600 / 5000) * 100),
    ("5880", 2011, "02", 500, 400, (500 / 1500 - 400 / 5000) * 100),
    ("5880", 2011, "05", 0, 2200, (0 - 2200 / 5000) * 100),
    # China + Hong Kong (5700 + 5820). 2010: 2000 (04 500, 05 1100 + 400); rest of world 4500
    # (01 1000, 04 1500, 05 2000)
    ("CN_HK", 2010, "01", 0, 1000, (0 - 1000 / 4500) * 100),
    ("CN_HK", 2010, "04", 500, 1500, (0.25 - 1500 / 4500) * 100),
    ("CN_HK", 2010, "05", 1500, 2000, (0.75 - 2000 / 4500) * 100),
    # 2011: 4000 (01 600, 02 400, 04 800, 05 2200); rest of world 2500 (01 1000, 02 500, 04 1000)
    ("CN_HK", 2011, "01", 600, 1000, (0.15 - 0.4) * 100),
    ("CN_HK", 2011, "02", 400, 500, (0.1 - 0.2) * 100),
    ("CN_HK", 2011, "04", 800, 1000, (0.2 - 0.4) * 100),
    ("CN_HK", 2011, "05", 2200, 0, 55.0),
]


@pytest.mark.parametrize(("partner", "year", "hitech", "partner_usd", "rest_usd", "gap_pp"), TINY_GAPS)
def test_specialization_gaps_by_hand(tiny_warehouse, partner, year, hitech, partner_usd, rest_usd, gap_pp) -> None:
    got = query(
        tiny_warehouse,
        "select partner_value_usd, rest_of_world_value_usd, world_value_usd, gap_pp from fct_specialization_gaps "
        f"where partner_code = '{partner}' and year = {year} and definition = 'as_published' "
        f"and hitech_code = '{hitech}'",
    )
    assert got[0][:3] == (partner_usd, rest_usd, partner_usd + rest_usd)
    assert got[0][3] == pytest.approx(gap_pp)


def test_every_partner_and_group_every_year_in_gaps(tiny_warehouse) -> None:
    # 4 countries (0003 and 0007 are Census groupings, not partners) + CN_HK, 10 groups, one
    # definition (the base year 2008 is not loaded)
    assert query(tiny_warehouse, "select year, count(*) from fct_specialization_gaps group by 1 order by 1") == [
        (2010, 50),
        (2011, 50),
    ]
    assert query(tiny_warehouse, "select * from dim_partners order by partner_code") == [
        ("1220", "Canada", "country", 2010, 2011),
        ("5700", "China", "country", 2010, 2011),
        ("5820", "Hong Kong", "country", 2010, 2011),
        ("5880", "Japan", "country", 2010, 2011),
        ("CN_HK", "China + Hong Kong", "group", 2010, 2011),
    ]
    # the bridge: a country is the one member of itself, a group has its member countries
    assert query(tiny_warehouse, "select * from dim_partner_members order by all") == [
        ("1220", "1220", 2010, 2011),
        ("5700", "5700", 2010, 2011),
        ("5820", "5820", 2010, 2011),
        ("5880", "5880", 2010, 2011),
        ("CN_HK", "5700", 2010, 2011),
        ("CN_HK", "5820", 2010, 2011),
    ]


def test_growth_and_reclassification_for_any_partner(tiny_warehouse) -> None:
    growth = query(
        tiny_warehouse,
        "select partner_code, year, partner_value_usd, partner_yoy_growth, rest_of_world_value_usd, "
        "world_value_usd from fct_atp_growth where definition = 'as_published' and hitech_code = 'all' "
        "and partner_code in ('5880', 'CN_HK') order by all",
    )
    assert growth == [
        # Japan 2750 -> 1500; China + Hong Kong 2000 -> 4000; world 6500 both years
        ("5880", 2010, 2750, None, 3750, 6500),
        ("5880", 2011, 1500, pytest.approx(1500 / 2750 - 1), 5000, 6500),
        ("CN_HK", 2010, 2000, None, 4500, 6500),
        ("CN_HK", 2011, 4000, pytest.approx(1.0), 2500, 6500),
    ]
    # 9018908000 enters the list as Life Science (02) in 2011: 400 to China, 500 to Japan
    added = query(
        tiny_warehouse,
        "select partner_code, codes_added, partner_value_added_usd, world_value_added_usd "
        "from fct_atp_reclassification where year = 2011 and hitech_code = '02' "
        "and partner_code in ('5700', '5880', 'CN_HK') order by 1",
    )
    assert added == [("5700", 1, 400, 900), ("5880", 1, 500, 900), ("CN_HK", 1, 400, 900)]


def test_drill_down_by_hand(tiny_warehouse) -> None:
    rows = query(
        tiny_warehouse,
        "select hs10_code, hs10_description, partner_value_usd, rest_of_world_value_usd, partner_group_share, "
        "contribution_pp from fct_hs10_gap_contributions where year = 2010 and partner_code = 'CN_HK' "
        "and definition = 'as_published' and hitech_code = '05'",
    )
    # electronics is one code: China 1100 + Hong Kong 400 = 1500; rest of world Japan 2000;
    # its contribution is the whole gap (0.75 - 2000 / 4500) x 100
    assert rows == [("8542310000", "PRODUCT 8542310000", 1500, 2000, 1.0, pytest.approx((0.75 - 2000 / 4500) * 100))]


def test_rerun_gives_identical_marts(tiny_warehouse) -> None:
    assert query(tiny_warehouse, "select * from fct_partner_shares order by all") == tiny_warehouse["first_marts"]
    assert query(tiny_warehouse, "select year, count(*) from raw.export_history group by 1 order by 1") == [
        (2010, 13),
        (2011, 7),
    ]


def test_figures_written_with_origin(tiny_warehouse) -> None:
    exports = tiny_warehouse["exports"]
    # the default run draws China (5700); figures 3 and 6 for the latest complete year, 2011
    for stem in (
        "figure_1_atp_exports_5700_china",
        "figure_2_composition_5700_china",
        "figure_3_composition_shares_5700_china_2011",
        "figure_4_specialization_gaps_5700_china",
        "figure_5_atp_definitions_5700_china",
        "figure_6_gap_products_5700_china_2011",
    ):
        for suffix in (".csv", ".parquet", ".png", ".svg"):
            assert (exports / f"{stem}{suffix}").stat().st_size > 0
    # the tiny input has no import files: figure 7 (the balance) has no year to draw and writes nothing
    assert not list(exports.glob("figure_7_*"))
    figure_1 = pd.read_csv(exports / "figure_1_atp_exports_5700_china.csv")
    assert figure_1["partner_atp_exports_usd_billions"].tolist() == pytest.approx([1600 / 1e9, 3400 / 1e9])
    assert figure_1["partner_yoy_growth_pct"].iloc[1] == pytest.approx(112.5)
    assert set(figure_1["data_origin"]) == {"synthetic sample"}
    figure_3 = pd.read_parquet(exports / "figure_3_composition_shares_5700_china_2011.parquet")
    assert figure_3["year"].unique().tolist() == [2011]  # default: latest year
    electronics = figure_3.loc[figure_3["hitech_code"] == "05"].iloc[0]
    assert electronics["partner_share_pct"] == pytest.approx(2200 / 3400 * 100)
    assert electronics["rest_of_world_share_pct"] == pytest.approx(0.0)
    figure_4 = pd.read_csv(exports / "figure_4_specialization_gaps_5700_china.csv", dtype={"hitech_code": str})
    assert sorted(figure_4["year"].unique()) == [2010, 2011]  # 2001 on
    # China 2011: 05 = 2200 / 3400 - 0 / 3100 = +64.7 pp (one code, 8542310000), 01 = 0 - 1600 / 3100
    # = -51.6 pp (one code, 3002200000): the largest positive and negative gaps
    figure_6 = pd.read_parquet(exports / "figure_6_gap_products_5700_china_2011.parquet")
    assert figure_6[["gap_side", "hitech_code", "hs10_code"]].values.tolist() == [
        ["positive", "05", "8542310000"],
        ["negative", "01", "3002200000"],
    ]
    assert figure_6["contribution_pp"].tolist() == pytest.approx([2200 / 3400 * 100, -1600 / 3100 * 100])


@pytest.mark.parametrize(
    ("partner", "stem", "values", "positive", "negative"),
    [
        # Japan 2010: 750 + 2000 = 2750, 2011: 1000 + 500 = 1500; 2011 gaps 01 = 1000 / 1500 - 600 / 5000
        # = +54.7 pp, 05 = 0 - 2200 / 5000 = -44 pp
        ("japan", "5880_japan", [2750, 1500], ("01", 100 * (1000 / 1500 - 600 / 5000)), ("05", -44.0)),
        # China + Hong Kong 2010: 1600 + 400 = 2000, 2011: 3400 + 600 = 4000; 2011 gaps 05 = 2200 / 4000
        # - 0 = +55 pp, 01 = 600 / 4000 - 1000 / 2500 = -25 pp
        ("CN_HK", "cn_hk_china_hong_kong", [2000, 4000], ("05", 55.0), ("01", -25.0)),
    ],
)
def test_figures_for_another_partner_from_run_config(
    tiny_warehouse, monkeypatch: pytest.MonkeyPatch, partner, stem, values, positive, negative
) -> None:
    """The figures job with the Launchpad's run config (what ``atp figures --partner`` runs)."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import atp_figures_job
    from orchestration.run_config import figure_run_config
    from orchestration.tags import partition_range_tags

    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tiny_warehouse["duckdb"]))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(tiny_warehouse["exports"]))
    result = defs.resolve_job_def(atp_figures_job.name).execute_in_process(
        instance=DagsterInstance.ephemeral(),
        run_config=figure_run_config(partner, year=2011),
        tags=partition_range_tags(2010, 2011),
    )
    assert result.success
    exports = tiny_warehouse["exports"]
    figure_1 = pd.read_csv(exports / f"figure_1_atp_exports_{stem}.csv")
    assert figure_1["partner_atp_exports_usd_billions"].tolist() == pytest.approx([v / 1e9 for v in values])
    figure_6 = pd.read_parquet(exports / f"figure_6_gap_products_{stem}_2011.parquet")
    assert figure_6[["hitech_code", "contribution_pp"]].values.tolist() == [
        [positive[0], pytest.approx(positive[1])],
        [negative[0], pytest.approx(negative[1])],
    ]
    for number in (2, 3, 4, 5):
        assert list(exports.glob(f"figure_{number}_*_{stem}*.svg"))


def _local_run(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tmp_path / "atp.duckdb"))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("ATP_SOURCE", "local")
    monkeypatch.setenv("ATP_LOCAL_DIR", str(root))
    return run_job(2010, 2011)


def test_mid_year_schedule_b_codes_are_resolved_or_reported(
    tmp_path: Path, dbt_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.tiny_input import history, schedule_b

    root = write_tiny_input(tmp_path / "input")
    path = root / "2011" / "EXP_HIST.TXT"
    path.write_text(
        path.read_text()
        # retired in January 2011, replaced by 8542310000 (05): resolved by a code-change row
        + history("1", "8542320000", "5700", "27", 1, 2011, 300)
        + "\r\n"
        # new in July 2011: resolved by the year's second list
        + history("1", "8542390000", "5700", "27", 8, 2011, 200)
        + "\r\n"
        # on no list and not linked: reported, a warning (700 USD is under the 1,000,000 threshold)
        + history("1", "8542900000", "5700", "27", 6, 2011, 400)
        + "\r\n"
        + history("1", "8542900000", "5700", "27", 9, 2011, 300)
        + "\r\n"
    )
    (root / "2011" / "exp-code-2011-07.txt").write_text(schedule_b("8542390000", "05") + "\r\n", newline="")
    (root / "hs10_changes.csv").write_text("old_hs10_code,new_hs10_code,first_year\n8542320000,8542310000,2011\n")
    # the published 2011 world ATP total grows by the 300 + 200 USD now classified: 6500 + 500 = 7000 USD
    csv = root / "country_trade" / "country_trade.csv"
    csv.write_text(
        "\n".join(
            line.replace(",0.0065,0.0065", ",0.007,0.007") if line.startswith("2011,0007,") else line
            for line in csv.read_text().split("\n")
        )
    )

    result = _local_run(root, tmp_path, monkeypatch)
    assert result.success
    warned = {e.asset_check_key.name for e in result.get_asset_check_evaluations() if not e.passed}
    assert warned == {"warn_unlisted_codes"}
    from orchestration.failures import failure_lines

    assert failure_lines(result) == ["WARNING check int_hs10_codes_missing_from_list:warn_unlisted_codes"]
    report = query(
        {"duckdb": tmp_path / "atp.duckdb"},
        "select year, hs10_code, stat_months, record_count, value_usd, is_resolved, resolved_hitech_code, "
        "left(resolution, 30) from int_hs10_codes_missing_from_list order by all",
    )
    assert report == [
        (2011, "8542320000", "1", 1, 300, True, "05", "linked by hs10_changes.csv to "),
        (2011, "8542900000", "6,9", 2, 700, False, None, "unresolved: add a later Schedu"),
    ]
    # China Electronics 2011 = 2200 (tests/tiny_input.py) + 300 (linked) + 200 (July list) = 2700
    assert query(
        {"duckdb": tmp_path / "atp.duckdb"},
        "select export_value_usd from fct_atp_exports where year = 2011 and cty_code = '5700' and hitech_code = '05'",
    ) == [(2700,)]


def test_unlisted_code_over_the_threshold_fails_the_build(
    tmp_path: Path, dbt_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.tiny_input import history

    root = write_tiny_input(tmp_path / "input")
    path = root / "2011" / "EXP_HIST.TXT"
    # 8542390000 is on neither year's list: 2,000,000 USD is over max_unlisted_code_value_usd (1,000,000)
    path.write_text(path.read_text() + history("1", "8542390000", "5700", "27", 6, 2011, 2_000_000) + "\r\n")
    result = _local_run(root, tmp_path, monkeypatch)
    assert not result.success
    failed = {e.asset_check_key.name for e in result.get_asset_check_evaluations() if not e.passed}
    assert "assert_unlisted_codes_under_threshold" in failed, failed
    # the failing dbt test stops the run before the figures are exported
    assert not (tmp_path / "exports").exists()


def test_partial_year_is_never_compared_or_drawn_as_complete(
    tmp_path: Path, dbt_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tiny_input(tmp_path / "input")
    # the country table's newest year is partial: every 2011 row holds January only (later months
    # 0), and 2011's 0007 total (1 USD so far) could never match the full-year history
    from tests.tiny_input import COUNTRY_TRADE, NAMES

    csv = root / "country_trade" / "country_trade.csv"
    lines = csv.read_text().splitlines()
    lines = [line for line in lines if not line.startswith("2011,")]
    for code, eyr in COUNTRY_TRADE[2011].items():
        value = 0.000001 if code == "0007" else eyr
        lines.append(
            f"2011,{code},{NAMES[code]}," + ",".join(["0"] * 13) + f",{value}," + ",".join(["0"] * 11) + f",{value}"
        )
    csv.write_text("\n".join(lines) + "\n")
    # ... and the 2011 export history stops in September: its only December record moves to September
    history = root / "2011" / "EXP_HIST.TXT"
    history.write_text(history.read_text().replace("5880271220110", "5880270920110"))
    result = _local_run(root, tmp_path, monkeypatch)
    assert result.success
    warned = {e.asset_check_key.name for e in result.get_asset_check_evaluations() if not e.passed}
    assert warned == {"warn_world_atp_years_not_compared"}
    paths = {"duckdb": tmp_path / "atp.duckdb"}
    assert query(
        paths, "select months_reported from stg_census__country_trade where year = 2011 and cty_code = '0007'"
    ) == [(1,)]
    assert query(paths, "select year, last_stat_month, is_complete_year from int_trade_history_years order by 1") == [
        (2010, 12, True),
        (2011, 9, False),
    ]
    figure_1 = pd.read_csv(tmp_path / "exports" / "figure_1_atp_exports_5700_china.csv")
    assert figure_1["year"].tolist() == [2010]
    caption = pq.read_table(tmp_path / "exports" / "figure_1_atp_exports_5700_china.parquet").schema.metadata[
        b"caption"
    ]
    assert b"Left out as incomplete: 2011 (export history through month 9)." in caption
