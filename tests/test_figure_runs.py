"""The figure assets, the run config and the console commands that draw the figures (moved
unchanged from tests/test_figures.py when the figures became a package; the callers are being
rewritten against the new interface, and these tests with them). They use the hand-made
warehouse of tests/test_figures.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.jobs import atp_figures_job, atp_warehouse_job
from orchestration.tags import RANGE_END_TAG, RANGE_START_TAG
from tests.test_figures import _build


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made warehouse of tests/test_figures.py."""
    path = tmp_path_factory.mktemp("figure_runs") / "atp.duckdb"
    _build(path)
    return path


# --- assets, run config and the console ------------------------------------------------------

FIGURE_ASSETS = [
    "figure_1_atp_exports",
    "figure_2_composition",
    "figure_3_composition_shares",
    "figure_4_specialization_gaps",
    "figure_5_atp_definitions",
    "figure_6_gap_products",
    "figure_7_trade_balance",
]


def test_the_figures_are_configured_once_for_all_seven(dbt_manifest: Path) -> None:
    from dagster import AssetKey, validate_run_config

    from orchestration.assets.exports import figure_assets
    from orchestration.definitions import defs
    from orchestration.resources import FigureSettings
    from orchestration.run_config import figure_run_config

    assert [a.key.to_user_string() for a in figure_assets] == FIGURE_ASSETS
    defaults = FigureSettings()
    assert (defaults.partner, defaults.years, defaults.year, defaults.definition, defaults.flow) == (
        "5700",
        "",
        None,
        "as_published",
        "exports",
    )
    # the Launchpad shows each field with its description, once (one resource for the seven figures)
    assert all(field.description for field in FigureSettings.model_fields.values())
    config = figure_run_config("5880", "2000-2008", 2008, "fixed_2008", "imports")
    assert config == {
        "resources": {
            "figures": {
                "config": {
                    "partner": "5880",
                    "years": "2000-2008",
                    "year": 2008,
                    "definition": "fixed_2008",
                    "flow": "imports",
                }
            }
        }
    }
    job = defs.resolve_job_def(atp_figures_job.name)
    validate_run_config(job, config)
    # no figure asset has config of its own: partner, years, year and definition are set once
    assert all(
        asset.op.config_schema is None or asset.op.config_schema.as_field().config_type.kind.name == "ANY"
        for asset in figure_assets
    )
    graph = defs.resolve_asset_graph()
    parents = {p.to_user_string() for p in graph.get(AssetKey("figure_6_gap_products")).parent_keys}
    assert {"fct_hs10_gap_contributions", "fct_specialization_gaps", "dim_partners"} <= parents
    assert "fct_atp_growth" in {p.to_user_string() for p in graph.get(AssetKey("figure_5_atp_definitions")).parent_keys}
    parents = {p.to_user_string() for p in graph.get(AssetKey("figure_7_trade_balance")).parent_keys}
    assert {"fct_atp_trade_balance", "int_trade_history_years", "dim_partners"} <= parents
    # the figures job draws the seven figures and rewrites the lineage beside them
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == (set(FIGURE_ASSETS) | {"lineage"})


def test_no_machine_specific_path_in_the_launchpad_defaults(dbt_manifest: Path) -> None:
    """The Launchpad's default config (every resource's defaults) holds no path of this machine
    (the dbt CLI resource, made inside the dbt asset, is not configured in the Launchpad)."""
    import json

    from orchestration.definitions import defs
    from orchestration.paths import REPO_ROOT

    defaults = {
        name: resource.model_dump() for name, resource in defs.resources.items() if hasattr(resource, "model_dump")
    }
    assert set(defs.resources) == {"warehouse", "source", "figures"}
    assert str(REPO_ROOT) not in json.dumps(defaults) and "/bin/" not in json.dumps(defaults)


def test_refresh_run_config_reaches_dbt_and_the_figures(dbt_manifest: Path) -> None:
    from dagster import validate_run_config

    from orchestration.definitions import defs
    from orchestration.run_config import refresh_run_config

    config = refresh_run_config({"source": "sample", "force_download": False}, "5880", 2002, 0.1)
    assert config["ops"] == {
        "atp_dbt_assets": {"config": {"atp_base_year": 2002, "max_unlinked_value_share": 0.1, "full_rebuild": False}}
    }
    assert config["resources"]["figures"] == {
        "config": {"partner": "5880", "years": "", "year": None, "definition": "as_published", "flow": "exports"}
    }
    validate_run_config(defs.resolve_job_def(atp_warehouse_job.name), config)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--partner", "Atlantis"], "--partner: unknown partner 'Atlantis': give a code or an exact name, e.g. "),
        (["--base-year", "1990"], "--base-year: 1990 is neither in the warehouse nor loaded by this run"),
    ],
)
def test_atp_refresh_refuses_a_partner_or_base_year_before_anything_runs(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], line: str
) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app
    from tests.tiny_input import write_tiny_input

    tiny = write_tiny_input(tmp_path / "input")
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(warehouse))
    before = warehouse.stat().st_mtime_ns
    result = CliRunner().invoke(
        app, ["refresh", "--source", "local", "--local-dir", str(tiny), "--years", "2010-2011", *args]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(line), result.stderr
    assert warehouse.stat().st_mtime_ns == before  # nothing ran


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--partner", "Atlantis"], "--partner: unknown partner 'Atlantis': give a code or an exact name, e.g. "),
        (["--partner", "japan", "--year", "2009"], "--year: year 2009 is incomplete (export history through month 6)"),
        (["--definition", "chain_linked"], "--definition: definition 'chain_linked' is not one of as_published, "),
        (["--flow", "reexports"], "--flow: flow 'reexports' is not one of exports, imports"),
        (
            ["--flow", "imports", "--years", "2008-2009"],
            "--years: years '2008-2009': 2009 is incomplete (import history through month 3); "
            "valid years of imports from China: 2007-2008",
        ),
    ],
)
def test_atp_figures_refuses_an_unknown_option_in_one_line(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], line: str
) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    monkeypatch.setenv("ATP_DUCKDB_PATH", str(warehouse))
    result = CliRunner().invoke(app, ["figures", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(line), result.stderr


def test_atp_figures_draws_a_partner_through_the_job(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest: Path
) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    copy = tmp_path / "atp.duckdb"
    shutil.copy(warehouse, copy)
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(copy))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    result = CliRunner().invoke(app, ["figures", "--partner", "china + hong kong", "--year", "2008", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "Drawing figures 1-7 for China + Hong Kong (CN_HK), 2007-2008 ..." in result.stdout
    assert "  figure_6_gap_products_cn_hk_china_hong_kong_2008.png (.svg .csv .parquet)" in result.stdout
    written = sorted(p.name for p in (tmp_path / "exports").glob("*.png"))
    assert written == [
        "figure_1_atp_exports_cn_hk_china_hong_kong.png",
        "figure_2_composition_cn_hk_china_hong_kong.png",
        "figure_3_composition_shares_cn_hk_china_hong_kong_2008.png",
        "figure_4_specialization_gaps_cn_hk_china_hong_kong.png",
        "figure_5_atp_definitions_cn_hk_china_hong_kong.png",
        "figure_6_gap_products_cn_hk_china_hong_kong_2008.png",
        "figure_7_trade_balance_cn_hk_china_hong_kong.png",
    ]
    # the run is recorded in the Dagster instance, as the UI's runs are
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        runs = instance.get_runs()
    assert [run.job_name for run in runs] == [atp_figures_job.name]
    assert runs[0].run_config["resources"]["figures"]["config"]["partner"] == "CN_HK"
    assert (runs[0].tags[RANGE_START_TAG], runs[0].tags[RANGE_END_TAG]) == ("2007", "2008")


def test_atp_figures_draws_imports_and_the_balance(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest: Path
) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    copy = tmp_path / "atp.duckdb"
    shutil.copy(warehouse, copy)
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(copy))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    args = ["figures", "--flow", "imports", "--partner", "5700", "--years", "2007-2008"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        "Drawing figures 1-6 of ATP imports and figure 7 (the balance) for China (5700), 2007-2008 ..." in result.stdout
    )
    written = sorted(p.name for p in (tmp_path / "exports").glob("*.png"))
    assert written == [
        "figure_1_atp_imports_5700_china_2007_2008.png",
        "figure_2_imports_composition_5700_china_2007_2008.png",
        "figure_3_imports_composition_shares_5700_china_2008.png",
        "figure_4_imports_specialization_gaps_5700_china_2007_2008.png",
        "figure_5_imports_atp_definitions_5700_china_2007_2008.png",
        "figure_6_imports_gap_products_5700_china_2008.png",
        "figure_7_trade_balance_5700_china_2007_2008.png",
    ]
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        (run,) = instance.get_runs()
    assert run.run_config["resources"]["figures"]["config"]["flow"] == "imports"


def test_the_launchpad_refuses_a_flow_in_one_line() -> None:
    from pydantic import ValidationError

    from orchestration.resources import FigureSettings

    assert FigureSettings(flow="imports").flow == "imports"
    with pytest.raises(ValidationError) as refused:
        FigureSettings(flow="re-exports")
    assert "flow: 're-exports' is not one of exports, imports" in str(refused.value)


def test_without_imports_figure_7_is_not_drawn_and_the_run_says_so(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest: Path
) -> None:
    import duckdb
    from typer.testing import CliRunner

    from orchestration.cli import app

    copy = tmp_path / "atp.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:  # a warehouse of exports only
        con.execute("delete from int_trade_history_years where trade_flow = 'imports'")
        con.execute("delete from fct_atp_trade_balance")
    monkeypatch.setenv("ATP_DUCKDB_PATH", str(copy))
    monkeypatch.setenv("ATP_EXPORTS_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    result = CliRunner().invoke(app, ["figures", "--partner", "5880"])
    assert result.exit_code == 0, result.output
    # the six figures of exports are drawn, the run succeeds, and its step line says what was not drawn
    assert "  figures: 6 of 7 charts and the lineage written (figure_7_trade_balance: no complete year of both " in (
        result.stdout
    ), result.stdout
    pngs = sorted(p.name for p in (tmp_path / "exports").glob("*.png"))
    assert len(pngs) == 6 and not [name for name in pngs if name.startswith("figure_7")]
    # imports asked for explicitly are refused before anything runs
    refused = CliRunner().invoke(app, ["figures", "--partner", "5880", "--flow", "imports"])
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "--flow: flow 'imports': the warehouse holds no complete year of ATP imports (no import history loaded); "
        "valid flows here: exports"
    )
