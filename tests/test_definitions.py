"""The code location loads, and the small pure pieces around it behave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.partitions import parse_years


def test_code_location_loads(dbt_manifest: Path) -> None:
    from dagster import AssetKey, Definitions

    from orchestration.definitions import defs

    Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    for expected in (
        "raw/export_history",
        "raw/atp_concordance",
        "raw/countries",
        "raw/country_trade",
        "stg_census__export_history",
        "fct_atp_exports",
        "mart_partner_shares",
        "mart_specialization_gaps",
        "figure_1_china_atp_exports",
        "figure_3_china_vs_row_shares",
    ):
        assert expected in keys, expected
    graph = defs.resolve_asset_graph()
    # dbt sources are wired to the raw assets
    assert AssetKey(["raw", "export_history"]) in graph.get(AssetKey(["stg_census__export_history"])).parent_keys
    assert defs.resolve_job_def("atp_warehouse_job") is not None
    # dbt tests surface as asset checks
    assert any("world_atp" in key.name for key in graph.asset_check_keys)
    assert any(key.name == "api_group_totals_match_fact" for key in graph.asset_check_keys)


def test_dbt_build_args_pass_the_warehouse_file() -> None:
    from orchestration.assets.dbt import dbt_build_args

    args = dbt_build_args(Path("/tmp/x/atp.duckdb"))
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == {"duckdb_path": "/tmp/x/atp.duckdb"}


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
    from orchestration.resources import REPO_ROOT, WarehouseResource

    monkeypatch.delenv("ATP_DUCKDB_PATH", raising=False)
    assert WarehouseResource().database_path() == REPO_ROOT / "warehouse" / "atp.duckdb"
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(tmp_path / "a.duckdb"))
    assert WarehouseResource().database_path() == tmp_path / "a.duckdb"
    assert WarehouseResource(duckdb_path=str(tmp_path / "b.duckdb")).database_path() == tmp_path / "b.duckdb"


def test_source_selection(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from orchestration.resources import REPO_ROOT, SourceResource

    monkeypatch.delenv("ATP_SOURCE", raising=False)
    monkeypatch.delenv("ATP_LANDING_DIR", raising=False)
    assert SourceResource().kind() == "sample"
    assert SourceResource().input_root() == REPO_ROOT / "warehouse" / "sample"
    assert SourceResource(source="census").input_root() == REPO_ROOT / "warehouse" / "raw" / "census"
    assert SourceResource(source="local", local_dir=str(tmp_path)).input_root() == tmp_path
    with pytest.raises(ValueError, match="needs local_dir"):
        SourceResource(source="local").input_root()
    with pytest.raises(ValueError, match="unknown source 'ftp'"):
        SourceResource(source="ftp").kind()
