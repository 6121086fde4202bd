"""End to end: materialize every asset (raw, dbt models and tests, figures) into a temporary
warehouse from the tiny hand-made input of ``tests/tiny_input.py``; expected values by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
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
    (2010, "5880", "01", 750, 750, 0),
    (2010, "5880", "05", 2000, 2000, 0),
    # 2011: 9018908000 is Life Science (02) under the 2011 list
    (2011, "1220", "04", 1000, 1000, 0),
    (2011, "5700", "02", 400, 400, 0),
    (2011, "5700", "04", 800, 800, 0),
    (2011, "5700", "05", 2200, 2200, 0),
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

    from orchestration.definitions import atp_warehouse_job, defs

    job = defs.resolve_job_def(atp_warehouse_job.name)
    result = job.execute_in_process(
        instance=DagsterInstance.ephemeral(),
        run_config=run_config or {},
        tags={
            "dagster/asset_partition_range_start": str(first_year),
            "dagster/asset_partition_range_end": str(last_year),
        },
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
            paths["first_marts"] = con.execute("select * from mart_partner_shares order by all").fetchall()
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
        "select partner_share, composition_share from mart_partner_shares "
        "where year = 2010 and cty_code = '5700' and hitech_code = '05'",
    )
    # China electronics 1100 of world electronics 600+400+100+2000 = 3100; of China ATP 1100 + 500 = 1600
    assert rows[0][0] == pytest.approx(1100 / 3100)
    assert rows[0][1] == pytest.approx(0.6875)


@pytest.mark.parametrize(
    ("year", "hitech", "china", "row", "gap_pp"),
    [
        # 2010: China 1600 (04 500, 05 1100); ROW 4500 (01 250+750, 04 1500, 05 2000)
        (2010, "01", 0, 1000, (0 - 1000 / 4500) * 100),
        (2010, "04", 500, 1500, (0.3125 - 1 / 3) * 100),
        (2010, "05", 1100, 2000, (0.6875 - 2000 / 4500) * 100),
        (2010, "08", 0, 0, 0.0),
        # 2011: China 3400 (02 400, 04 800, 05 2200); ROW 2500 (01 1000, 02 500, 04 1000)
        (2011, "01", 0, 1000, -40.0),
        (2011, "02", 400, 500, (400 / 3400 - 0.2) * 100),
        (2011, "05", 2200, 0, 2200 / 3400 * 100),
    ],
)
def test_specialization_gaps_by_hand(tiny_warehouse, year, hitech, china, row, gap_pp) -> None:
    got = query(
        tiny_warehouse,
        "select china_value_usd, row_value_usd, world_value_usd, gap_pp "
        f"from mart_specialization_gaps where year = {year} and hitech_code = '{hitech}'",
    )
    assert got[0][:3] == (china, row, china + row)
    assert got[0][3] == pytest.approx(gap_pp)


def test_every_group_every_year_in_gaps(tiny_warehouse) -> None:
    assert query(tiny_warehouse, "select year, count(*) from mart_specialization_gaps group by 1 order by 1") == [
        (2010, 10),
        (2011, 10),
    ]


def test_rerun_gives_identical_marts(tiny_warehouse) -> None:
    assert query(tiny_warehouse, "select * from mart_partner_shares order by all") == tiny_warehouse["first_marts"]
    assert query(tiny_warehouse, "select year, count(*) from raw.export_history group by 1 order by 1") == [
        (2010, 12),
        (2011, 6),
    ]


def test_figures_written_with_origin(tiny_warehouse) -> None:
    exports = tiny_warehouse["exports"]
    for stem in (
        "figure_1_china_atp_exports",
        "figure_2_china_composition",
        "figure_3_china_vs_row_shares",
        "figure_4_specialization_gaps",
        "figure_5_china_atp_definitions",
    ):
        for suffix in (".csv", ".parquet", ".png"):
            assert (exports / f"{stem}{suffix}").stat().st_size > 0
    figure_1 = pd.read_csv(exports / "figure_1_china_atp_exports.csv")
    assert figure_1["china_atp_exports_usd_billions"].tolist() == pytest.approx([1600 / 1e9, 3400 / 1e9])
    assert figure_1["china_yoy_growth_pct"].iloc[1] == pytest.approx(112.5)
    assert set(figure_1["data_origin"]) == {"synthetic sample"}
    figure_3 = pd.read_parquet(exports / "figure_3_china_vs_row_shares.parquet")
    assert figure_3["year"].unique().tolist() == [2011]  # default: latest year
    electronics = figure_3.loc[figure_3["hitech_code"] == "05"].iloc[0]
    assert electronics["china_share_pct"] == pytest.approx(2200 / 3400 * 100)
    assert electronics["rest_of_world_share_pct"] == pytest.approx(0.0)
    figure_4 = pd.read_csv(exports / "figure_4_specialization_gaps.csv", dtype={"hitech_code": str})
    assert sorted(figure_4["year"].unique()) == [2010, 2011]  # 2001 on


def test_history_code_missing_from_concordance_fails_the_build(
    tmp_path: Path, dbt_manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.tiny_input import history

    root = write_tiny_input(tmp_path / "input")
    path = root / "2011" / "EXP_HIST.TXT"
    # 8542390000 is in neither year's concordance: its 700 USD would silently drop out
    path.write_text(path.read_text() + history("1", "8542390000", "5700", "27", 6, 2011, 700) + "\r\n")
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tmp_path / "atp.duckdb"))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("ATP_SOURCE", "local")
    monkeypatch.setenv("ATP_LOCAL_DIR", str(root))
    result = run_job(2010, 2011)
    assert not result.success
    failed = {e.asset_check_key.name for e in result.get_asset_check_evaluations() if not e.passed}
    assert any(name.startswith("in_same_year_list_stg_census__export_history_hs10_code") for name in failed), failed
    # the failing dbt test stops the run before the figures are exported
    assert not (tmp_path / "exports").exists()
