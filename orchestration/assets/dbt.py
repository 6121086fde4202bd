"""The dbt project as Dagster assets: staging, intermediate and mart models, dbt tests as checks."""

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Config
from dagster_dbt import DagsterDbtTranslator, dbt_assets
from pydantic import Field

from orchestration.assets.run_scope import require_complete_run
from orchestration.audit import build_counts, counts_phrase, project_checksum
from orchestration.dbt_settings import DEFAULT_BASE_YEAR, DEFAULT_MAX_UNLINKED_VALUE_SHARE, RUN_TARGET_PATH
from orchestration.partitions import single_run, year_partitions
from orchestration.project import dbt_project, dbt_resource
from orchestration.publish import record_content
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


class DbtBuildConfig(Config):
    """Settings of a build that users change (Launchpad form; ``atp refresh`` options). The
    defaults are those of ``dbt_project.yml`` (:mod:`orchestration.dbt_settings`)."""

    atp_base_year: int = Field(
        default=DEFAULT_BASE_YEAR,
        description="Base year of the fixed-definition series: every year is classified by this year's ATP list.",
    )
    max_unlinked_value_share: float = Field(
        default=DEFAULT_MAX_UNLINKED_VALUE_SHARE,
        ge=0,
        le=1,
        description="Largest share (0-1) of a year's ATP exports allowed in codes the fixed definition cannot "
        "link to the base year's list; above it the build fails.",
    )


def dbt_vars(duckdb_path: Path, settings: DbtBuildConfig | None = None) -> dict[str, Any]:
    """The dbt vars of a build: the warehouse file and the user's settings."""
    settings = settings or DbtBuildConfig()
    return {
        "duckdb_path": str(duckdb_path),
        "atp_base_year": settings.atp_base_year,
        "max_unlinked_value_share": settings.max_unlinked_value_share,
    }


def dbt_build_args(duckdb_path: Path, settings: DbtBuildConfig | None = None) -> list[str]:
    """The ``dbt build`` arguments of every build (a run, the tests, the benchmark): the
    warehouse file and the settings go in through ``--vars``."""
    return ["build", "--vars", json.dumps(dbt_vars(duckdb_path, settings))]


if not dbt_project.manifest_path.is_file():
    raise FileNotFoundError(
        f"{dbt_project.manifest_path} does not exist: the dbt assets are defined from the dbt manifest, which "
        "`make prepare` writes (it runs `dbt parse` in dbt_project/). `make run`, `make ui`, `make test` and every "
        "`atp` command write it themselves; run `make prepare` before other `dagster` commands."
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=AtpDbtTranslator(),
    partitions_def=year_partitions,
    backfill_policy=single_run,
)
def atp_dbt_assets(
    context: AssetExecutionContext, config: DbtBuildConfig, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Build the dbt models (staging views, fact and mart tables) and run their tests, with the
    run's settings (:class:`DbtBuildConfig`), then record the build's content fingerprint in the
    candidate (:func:`orchestration.publish.record_content`: its input files, the settings and the
    dbt project) and log dbt's own counts (models, seeds, data and unit tests, from
    ``run_results.json``).

    Partitioned by year like every asset, so that a range of years launched from the UI is one
    run; every build rebuilds every model over every year held. Fails first, with one line, when
    the run would not rebuild what is built from the selected models
    (:func:`orchestration.assets.run_scope.require_complete_run`). The whole ``dbt build`` holds
    the warehouse writer lock (one DuckDB writer per file). The dbt CLI resource is made here,
    not configured in the Launchpad (it holds only paths of this machine)."""
    require_complete_run(context, warehouse.continued_candidate() is not None)
    with warehouse.writer_lock():
        invocation = dbt_resource().cli(
            dbt_build_args(warehouse.database_path(), config), context=context, target_path=RUN_TARGET_PATH
        )
        yield from invocation.stream()
        settings = {k: v for k, v in dbt_vars(warehouse.database_path(), config).items() if k != "duckdb_path"}
        with warehouse.connect() as con:
            fingerprint = record_content(con, settings, project_checksum(dbt_project.manifest_path))
    context.log.info(f"dbt build: {counts_phrase(build_counts(invocation.target_path))}; build {fingerprint[:12]}")
