"""The dbt project as Dagster assets: staging, intermediate and mart models, dbt tests as checks."""

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.project import dbt_project
from orchestration.resources import WarehouseResource


class AtpDbtTranslator(DagsterDbtTranslator):
    """Maps dbt sources onto the raw assets (``raw/<table>``) and groups models by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(["raw", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "dbt_seeds"
        for layer in ("staging", "intermediate", "marts"):
            if layer in fqn:
                return f"dbt_{layer}"
        return None


#: One target folder for every build (relative to the dbt project): dbt reuses its partial parse
#: from one build to the next instead of parsing the project again, and the folder does not grow
#: with every run. Builds never overlap: each holds the warehouse writer lock.
DBT_RUN_TARGET_PATH = Path("target") / "run"


def dbt_build_args(duckdb_path: Path) -> list[str]:
    """The ``dbt build`` arguments for a run: the warehouse file goes in through ``--vars``."""
    return ["build", "--vars", json.dumps({"duckdb_path": str(duckdb_path)})]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=AtpDbtTranslator(),
)
def atp_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource) -> Iterator[Any]:
    """Build the dbt models (staging views, fact and mart tables) and run their tests.

    The whole ``dbt build`` holds the warehouse writer lock (one DuckDB writer per file)."""
    with warehouse.writer_lock():
        yield from dbt.cli(
            dbt_build_args(warehouse.database_path()), context=context, target_path=DBT_RUN_TARGET_PATH
        ).stream()
