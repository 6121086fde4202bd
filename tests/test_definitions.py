"""The code location loads, and the small pure pieces around it behave."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from orchestration.jobs import atp_warehouse_job
from orchestration.partitions import parse_years
from orchestration.paths import REPO_ROOT


def test_code_location_loads(dbt_manifest: Path) -> None:
    from dagster import AssetKey, Definitions

    from orchestration.definitions import defs
    from orchestration.marts import mart_names

    Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    marts = mart_names(dbt_manifest)  # every mart of the dbt project is an asset
    assert "fct_atp_exports" in marts and "dim_partners" in marts, marts
    for expected in (
        "raw/export_history",
        "raw/atp_concordance",
        "raw/countries",
        "raw/country_trade",
        "stg_census__export_history",
        *marts,
        "figure_1_atp_exports",
        "figure_3_composition_shares",
        "figure_6_gap_products",
    ):
        assert expected in keys, expected
    graph = defs.resolve_asset_graph()
    # dbt sources are wired to the raw assets
    assert AssetKey(["raw", "export_history"]) in graph.get(AssetKey(["stg_census__export_history"])).parent_keys
    assert defs.resolve_job_def(atp_warehouse_job.name) is not None
    # dbt tests surface as asset checks
    assert any("world_atp" in key.name for key in graph.asset_check_keys)
    assert any(key.name == "api_group_totals_match_fact" for key in graph.asset_check_keys)


def test_dbt_build_args_pass_the_warehouse_file_and_the_settings() -> None:
    from orchestration.assets.dbt import DbtBuildConfig, dbt_build_args

    args = dbt_build_args(Path("/tmp/x/atp.duckdb"))
    assert args[:2] == ["build", "--vars"]
    # the defaults are dbt_project.yml's
    from orchestration.dbt_settings import read_project_vars

    project_vars = read_project_vars()
    # the briefing's base year and the documented unlinked-value bound (docs/methods.md)
    assert (project_vars["atp_base_year"], project_vars["max_unlinked_value_share"]) == (2008, 0.05)
    assert json.loads(args[2]) == {
        "duckdb_path": "/tmp/x/atp.duckdb",
        "atp_base_year": project_vars["atp_base_year"],
        "max_unlinked_value_share": project_vars["max_unlinked_value_share"],
        "refresh_years": [],
    }
    assert args[3:] == ["--full-refresh"]  # no years named: every model over every year
    settings = DbtBuildConfig(atp_base_year=2002, max_unlinked_value_share=0.1)
    assert json.loads(dbt_build_args(Path("/w.duckdb"), settings)[2])["atp_base_year"] == 2002
    incremental = dbt_build_args(Path("/w.duckdb"), settings, [2011, 2012], "700MB")
    assert json.loads(incremental[2])["refresh_years"] == [2011, 2012] and "--full-refresh" not in incremental
    assert json.loads(incremental[2])["memory_limit"] == "700MB"


def test_one_memory_limit_for_the_warehouse_connections_and_dbt(tmp_path: Path, monkeypatch, dbt_manifest) -> None:
    """ATP_MEMORY_LIMIT sizes DuckDB for the warehouse resource's connections and for dbt's (the
    profile's default, and the var a run passes); the resource's own setting wins. A year load's
    connection gets half of it."""
    from orchestration.project import DBT_EXECUTABLE, DBT_PROJECT_DIR
    from orchestration.resources import WarehouseResource
    from orchestration.settings import SettingError

    monkeypatch.setenv("ATP_MEMORY_LIMIT", "700MB")
    database = tmp_path / "atp.duckdb"
    warehouse = WarehouseResource(duckdb_path=str(database))
    assert warehouse.effective_memory_limit() == "700MB"
    # DuckDB shows 700 MB (700,000,000 bytes) as 667.5 MiB
    with warehouse.connect() as con:
        assert con.execute("select current_setting('memory_limit')").fetchone() == ("667.5 MiB",)
    # a year load: half of 700,000,000 bytes = 350,000,000 bytes, which DuckDB shows as 333.7 MiB
    assert warehouse.load_memory_limit() == "350000000B"
    with warehouse.connect(warehouse.load_memory_limit()) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone() == ("333.7 MiB",)
    assert WarehouseResource(duckdb_path=str(database), memory_limit="2GB").effective_memory_limit() == "2GB"
    assert WarehouseResource(duckdb_path=str(database), memory_limit="3GiB").load_memory_limit() == "1610612736B"

    def dbt_limit(*variables: str) -> str:
        done = subprocess.run(
            [
                DBT_EXECUTABLE,
                "show",
                "--inline",
                "select current_setting('memory_limit') as m",
                "--output",
                "json",
                "--vars",
                json.dumps({"duckdb_path": str(database), **dict(v.split("=") for v in variables)}),
                "--target-path",
                str(tmp_path / "target"),
            ],
            cwd=DBT_PROJECT_DIR,
            capture_output=True,
            text=True,
            env={**os.environ},
        )
        assert done.returncode == 0, done.stdout[-2000:]
        return json.loads(done.stdout[done.stdout.index("{") :])["show"][0]["m"]

    assert dbt_limit() == "667.5 MiB"  # the profile reads ATP_MEMORY_LIMIT
    assert dbt_limit("memory_limit=1GB") == "953.6 MiB"  # a run passes its resource's
    monkeypatch.setenv("ATP_MEMORY_LIMIT", "lots")
    with pytest.raises(SettingError, match="ATP_MEMORY_LIMIT"):
        WarehouseResource(duckdb_path=str(database)).effective_memory_limit()


def test_no_model_column_asset_or_figure_name_says_china(dbt_manifest: Path) -> None:
    from orchestration.definitions import defs

    manifest = json.loads(dbt_manifest.read_text())
    names = [node["name"] for node in manifest["nodes"].values()]
    names += [c for node in manifest["nodes"].values() for c in node.get("columns", {})]
    names += [key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()]
    assert len(names) > 100
    assert [n for n in names if "china" in n.lower()] == []


@pytest.mark.parametrize(
    ("spec", "years"),
    [
        ("2008", [2008]),
        ("2000-2003", [2000, 2001, 2002, 2003]),
        ("2000,2003-2004", [2000, 2003, 2004]),
    ],
)
def test_parse_years(spec: str, years: list[int]) -> None:
    assert parse_years(spec) == years


@pytest.mark.parametrize("spec", ["", "2003-2001", "20x0", "2000-"])
def test_parse_years_rejects(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_years(spec)


def test_warehouse_paths_follow_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from orchestration.paths import REPO_ROOT
    from orchestration.resources import WarehouseResource

    monkeypatch.delenv("ATP_DUCKDB_PATH", raising=False)
    assert WarehouseResource().database_path() == REPO_ROOT / "warehouse" / "atp.duckdb"
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tmp_path / "a.duckdb"))
    assert WarehouseResource().database_path() == tmp_path / "a.duckdb"
    assert WarehouseResource(duckdb_path=str(tmp_path / "b.duckdb")).database_path() == tmp_path / "b.duckdb"


def test_source_selection(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from orchestration.paths import REPO_ROOT
    from orchestration.resources import SourceResource

    monkeypatch.delenv("ATP_SOURCE", raising=False)
    monkeypatch.delenv("ATP_LANDING_DIR", raising=False)
    assert SourceResource().kind_name() == "sample"
    assert SourceResource().input_root() == REPO_ROOT / "warehouse" / "sample"
    assert SourceResource(source="census").input_root() == REPO_ROOT / "warehouse" / "raw" / "census"
    assert SourceResource(source="local", local_dir=str(tmp_path)).input_root() == tmp_path
    with pytest.raises(ValueError, match="needs local_dir"):
        SourceResource(source="local").input_root()
    with pytest.raises(ValueError, match="source: 'ftp' is not one of sample, local, census"):
        SourceResource(source="ftp")  # refused when the resource is made (run config, --set)
    monkeypatch.setenv("ATP_SOURCE", "ftp")
    with pytest.raises(ValueError, match="unknown source 'ftp'"):
        SourceResource().kind_name()  # the environment is read when the source is used


def test_definitions_without_a_dbt_manifest_name_the_command_that_makes_it(tmp_path: Path) -> None:
    # a fresh clone has no dbt_project/target/manifest.json; the message must say how to make it
    code = textwrap.dedent(
        f"""
        from pathlib import Path
        from dagster_dbt import DbtProject
        import orchestration.project as project
        project.dbt_project = DbtProject(project_dir=project.DBT_PROJECT_DIR, target_path=Path({str(tmp_path)!r}))
        import orchestration.definitions
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode != 0
    assert "manifest.json does not exist" in result.stderr and "`make prepare`" in result.stderr


def test_the_run_tags_are_the_ones_dagster_and_its_ui_write() -> None:
    """The range and parent tags come from Dagster's private constants (orchestration/tags.py):
    pinned here as the strings the UI's single-run backfills and re-executions write."""
    from orchestration.tags import PARENT_RUN_TAG, partition_range_tags

    assert partition_range_tags(2006, 2008) == {
        "dagster/asset_partition_range_start": "2006",
        "dagster/asset_partition_range_end": "2008",
    }
    assert PARENT_RUN_TAG == "dagster/parent_run_id"


def test_every_dbt_test_is_an_asset_check(dbt_manifest: Path) -> None:
    """A dbt test Dagster cannot attach to an asset (a singular test whose ``meta.dagster.ref``
    names a model it does not read) runs as a mere observation: its failure would not be a
    failed check, and the console would not show its rows. Every test of the manifest is a check."""
    from orchestration.assets.dbt import atp_dbt_assets

    nodes = json.loads(dbt_manifest.read_text(encoding="utf-8"))["nodes"].values()
    tests = {node["name"] for node in nodes if node["resource_type"] == "test"}
    assert tests - {key.name for key in atp_dbt_assets.check_keys} == set()
