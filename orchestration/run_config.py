"""The run configs of the jobs, built in one place from typed values: what the Launchpad shows and
what ``atp refresh``, ``atp figures`` and the annual refresh send. The ``source`` resource's
config (from ``--source``, ``--force``, ``--local-dir`` and ``--set KEY=VALUE``), the dbt asset's
settings (:class:`orchestration.assets.dbt.DbtBuildConfig`, defaults from ``dbt_project.yml``)
and the ``figures`` resource's (:class:`orchestration.resources.FigureSettings`). Each config is
checked by the resource's own validation before a run starts, so the console refuses what the
Launchpad would, with the same words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from orchestration.dbt_settings import DEFAULT_BASE_YEAR, DEFAULT_MAX_UNLINKED_VALUE_SHARE
from orchestration.figures.options import AS_PUBLISHED, DEFAULT_FLOW, DEFAULT_PARTNER
from orchestration.settings import SettingError, convert

#: Source settings the console sets with its own options, not with ``--set``.
OWN_OPTIONS = ("source", "force_download", "local_dir")


def figure_run_config(
    partner: str = DEFAULT_PARTNER,
    years: str = "",
    year: int | None = None,
    definition: str = AS_PUBLISHED,
    flow: str = DEFAULT_FLOW,
) -> dict[str, Any]:
    """The run config that sets what every figure draws, once for all seven (the ``figures``
    resource, :class:`orchestration.resources.FigureSettings`; the Launchpad shows the same):
    partner, window, year of figures 3 and 6, definition and trade flow of figures 1-6."""
    config = {"partner": partner, "years": years, "year": year, "definition": definition, "flow": flow}
    return {"resources": {"figures": {"config": config}}}


def dbt_run_config(
    base_year: int = DEFAULT_BASE_YEAR,
    max_unlinked_value_share: float = DEFAULT_MAX_UNLINKED_VALUE_SHARE,
    full_rebuild: bool = False,
) -> dict[str, Any]:
    """The ``ops`` run config of the dbt asset (``DbtBuildConfig``): the fixed definition's base
    year and the reclassification coverage threshold, which reach ``dbt build`` as ``--vars``,
    and whether to rebuild every model over every year held (``full_rebuild``)."""
    from orchestration.assets.dbt import atp_dbt_assets

    config = {
        "atp_base_year": base_year,
        "max_unlinked_value_share": max_unlinked_value_share,
        "full_rebuild": full_rebuild,
    }
    return {atp_dbt_assets.op.name: {"config": config}}


def source_run_config(source_config: dict[str, object]) -> dict[str, Any]:
    """The run config that sets the ``source`` resource (``source_config``: its fields by name)."""
    return {"resources": {"source": {"config": source_config}}}


def refresh_run_config(
    source_config: dict[str, object],
    partner: str,
    base_year: int,
    max_unlinked_value_share: float,
    full_rebuild: bool = False,
) -> dict[str, Any]:
    """The run config of ``atp refresh``: the source resource, the dbt settings
    (:func:`dbt_run_config`) and the figures' partner (every figure asset's ``FigureConfig``)."""
    return {
        "resources": {**source_run_config(source_config)["resources"], **figure_run_config(partner)["resources"]},
        "ops": dbt_run_config(base_year, max_unlinked_value_share, full_rebuild),
    }


def source_config(source: str, force: bool, local_dir: Path | None, settings: list[str]) -> dict[str, object]:
    """The ``source`` resource's config of ``--source``, ``--force``, ``--local-dir`` (made
    absolute) and each ``--set KEY=VALUE`` (``KEY`` a field of the resource but the three above,
    ``VALUE`` converted to the field's type), then checked by the resource's own validation
    (:func:`check_resource_config`). Raises :class:`~orchestration.settings.SettingError` whose
    ``setting`` is ``--set`` and whose message names the setting and what is valid."""
    from orchestration.resources import SourceResource

    config: dict[str, object] = {"source": source, "force_download": force}
    fields = SourceResource.model_fields
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or key not in fields or key in OWN_OPTIONS:
            keys = ", ".join(k for k in fields if k not in OWN_OPTIONS)
            raise SettingError("--set", f"{setting!r}: expected KEY=VALUE with KEY one of {keys}")
        try:
            config[key] = convert(key, value, fields[key].annotation)
        except SettingError as error:
            raise SettingError("--set", str(error)) from None
    if local_dir is not None:
        config["local_dir"] = str(local_dir.resolve())
    check_resource_config("--set", SourceResource, config)
    return config


def check_resource_config(option: str, resource: type, config: dict[str, object]) -> None:
    """Refuse a configuration the resource's own validation refuses (the same check the
    Launchpad's run config gets at run start): raises
    :class:`~orchestration.settings.SettingError` (``setting`` = ``option``) whose message names the
    setting and what is valid, in one line."""
    try:
        resource(**config)
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first.get("msg", "")).removeprefix("Value error, ")
        setting = ".".join(str(part) for part in first.get("loc", ()))
        raise SettingError(option, message if message.startswith(f"{setting}:") else f"{setting}: {message}") from None
