"""The dbt project as Dagster assets: staging, intermediate and mart models, dbt tests as checks."""

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, Config
from dagster_dbt import DagsterDbtTranslator, dbt_assets
from pydantic import Field

from orchestration.assets.run_scope import require_complete_run
from orchestration.audit import build_counts, counts_phrase, project_checksum
from orchestration.census.tables import HS10_CODE_CHANGES_TABLE, IMPORT_CODE_CHANGES_TABLE
from orchestration.dbt_settings import DEFAULT_BASE_YEAR, DEFAULT_MAX_UNLINKED_VALUE_SHARE, RUN_TARGET_PATH
from orchestration.partitions import single_run, year_partitions
from orchestration.project import dbt_project, dbt_resource
from orchestration.provenance import year_ranges
from orchestration.publish import marts_basis, previous_marts_basis, record_content, record_marts_basis
from orchestration.resources import WarehouseResource

#: The raw tables whose files classify every year (code families): a change of them rebuilds the
#: year-incremental models in full.
CLASSIFYING_TABLES = (HS10_CODE_CHANGES_TABLE.name, IMPORT_CODE_CHANGES_TABLE.name)


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
    full_rebuild: bool = Field(
        default=False,
        description="Rebuild every model over every year held, not only the years the run loads (a run rebuilds "
        "in full by itself when the models, the settings, the code-change files or the base year's inputs "
        "changed).",
    )


def dbt_vars(duckdb_path: Path, settings: DbtBuildConfig | None = None) -> dict[str, Any]:
    """The dbt vars of a build: the warehouse file and the user's settings (not the years a
    build refreshes: :func:`dbt_build_args`)."""
    settings = settings or DbtBuildConfig()
    return {
        "duckdb_path": str(duckdb_path),
        "atp_base_year": settings.atp_base_year,
        "max_unlinked_value_share": settings.max_unlinked_value_share,
    }


def dbt_build_args(
    duckdb_path: Path,
    settings: DbtBuildConfig | None = None,
    refresh_years: Sequence[int] | None = None,
    memory_limit: str | None = None,
) -> list[str]:
    """The ``dbt build`` arguments of every build (a run, the tests, the benchmark): the
    warehouse file and the settings go in through ``--vars``. With ``refresh_years`` the
    year-incremental models rebuild those years only (var ``refresh_years``,
    ``dbt_project/macros/year_incremental.sql``); without, every model is built in full
    (``--full-refresh``). ``memory_limit`` is DuckDB's for dbt's connection (var
    ``memory_limit``; without it the profile's: ``$ATP_MEMORY_LIMIT`` or 1GB), the warehouse
    resource's :meth:`~orchestration.resources.WarehouseResource.effective_memory_limit` in a run."""
    variables = dbt_vars(duckdb_path, settings) | {"refresh_years": list(refresh_years or [])}
    if memory_limit:
        variables["memory_limit"] = memory_limit
    return ["build", "--vars", json.dumps(variables), *([] if refresh_years else ["--full-refresh"])]


def incremental_years(
    con: duckdb.DuckDBPyConnection, years: Sequence[int], basis: str, settings: DbtBuildConfig
) -> tuple[list[int] | None, str]:
    """The years a build may rebuild alone (its run's ``years``), or None for a full rebuild,
    with the reason in words. A year-incremental build continues the marts of the build the
    candidate copied, so it needs that build's :func:`orchestration.publish.marts_basis` to be
    ``basis`` (the same dbt project, settings and code-change files), and the run not to load the
    base year (whose list classifies every year under the fixed definition)."""
    if settings.full_rebuild:
        return None, "full rebuild asked for"
    previous = previous_marts_basis(con)
    if previous is None:
        return None, "full rebuild: no earlier build to continue"
    if previous != basis:
        return None, "full rebuild: the models, the settings or the code-change files changed"
    if settings.atp_base_year in years:
        return None, f"full rebuild: the run loads the base year {settings.atp_base_year}"
    return sorted(years), f"rebuilding {year_ranges(list(years))} (year-incremental models)"


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
    run. The year-incremental models rebuild only the run's years when the candidate's marts
    come from a build with the same models, settings and code-change files and the run does not
    load the base year (:func:`incremental_years`); otherwise, or with ``full_rebuild``, every
    model is built over every year held. The other models are always built in full. Fails first, with one line, when
    the run would not rebuild what is built from the selected models
    (:func:`orchestration.assets.run_scope.require_complete_run`). The whole ``dbt build`` holds
    the warehouse writer lock (one DuckDB writer per file). The dbt CLI resource is made here,
    not configured in the Launchpad (it holds only paths of this machine)."""
    require_complete_run(context, warehouse.continued_candidate() is not None)
    settings = {k: v for k, v in dbt_vars(warehouse.database_path(), config).items() if k != "duckdb_path"}
    project = project_checksum(dbt_project.manifest_path)
    with warehouse.writer_lock():
        with warehouse.connect() as con:
            basis = marts_basis(con, settings, project, CLASSIFYING_TABLES)
            years, why = incremental_years(con, [int(key) for key in context.partition_keys], basis, config)
        context.log.info(f"dbt build: {why}")
        invocation = dbt_resource().cli(
            dbt_build_args(warehouse.database_path(), config, years, warehouse.effective_memory_limit()),
            context=context,
            target_path=RUN_TARGET_PATH,
        )
        yield from invocation.stream()
        with warehouse.connect() as con:
            fingerprint = record_content(con, settings, project)
            record_marts_basis(con, basis)
    context.log.info(f"dbt build: {counts_phrase(build_counts(invocation.target_path))}; build {fingerprint[:12]}")
