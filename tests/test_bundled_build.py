"""The main job on the bundled sample (2000-2011), as ``make run`` builds it, in a temporary
warehouse: world ATP totals in the fact equal the real Census 0007 totals for every year."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.test_end_to_end import run_job
from tests.test_sample_bundle import real_eyr_usd


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bundled")
    paths = {"duckdb": root / "atp.duckdb", "exports": root / "exports"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATP_DUCKDB_PATH", str(paths["duckdb"]))
        patch.setenv("ATP_EXPORTS_DIR", str(paths["exports"]))
        patch.delenv("ATP_SOURCE", raising=False)
        assert run_job(2000, 2011).success, "the main job (and every dbt test) must succeed on the bundled sample"
    return paths


def test_world_atp_in_fact_matches_real_0007_totals(bundled) -> None:
    eyr = real_eyr_usd()
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        totals = dict(con.execute("select year, sum(export_value_usd) from fct_atp_exports group by year").fetchall())
    assert sorted(totals) == list(range(2000, 2012))
    for year, total in totals.items():
        assert abs(total - eyr[(year, "0007")]) <= 500_000, (year, total, eyr[(year, "0007")])


def test_marts_and_figures_are_labelled_synthetic(bundled) -> None:
    with duckdb.connect(str(bundled["duckdb"]), read_only=True) as con:
        assert con.execute("select bool_and(is_synthetic) from mart_specialization_gaps").fetchone()[0] is True
        comment = con.execute("select comment from duckdb_tables() where table_name = 'fct_atp_exports'").fetchone()[0]
    assert "SYNTHETIC" in comment
    figure = pq.read_table(bundled["exports"] / "figure_2_china_composition.parquet")
    assert b"SYNTHETIC" in figure.schema.metadata[b"caption"]
    figure_1 = pd.read_csv(bundled["exports"] / "figure_1_china_atp_exports.csv")
    assert set(figure_1["data_origin"]) == {"synthetic sample"}
    # the briefing's estimate: about 13 % a year over 2000-2008
    china = figure_1.set_index("year")["china_atp_exports_usd_billions"]
    assert (china[2008] / china[2000]) ** (1 / 8) - 1 == pytest.approx(0.13, abs=0.01)
