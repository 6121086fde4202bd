"""A static copy of the warehouse's lineage, exported with the figures: every asset of the code
location (raw tables, dbt seeds, staging, intermediate and mart models, figures) and what it is
built from, as a Mermaid flowchart in Markdown (GitHub, GitLab and most Markdown viewers draw it;
the text reads on its own as well). The interactive lineage is in the Dagster UI and in the dbt
docs (``make docs``)."""

from __future__ import annotations

import re

from dagster import AssetKey

#: Order and titles of the asset groups in the flowchart (left to right).
GROUPS = {
    "census_raw": "Raw Census tables (DuckDB schema raw)",
    "dbt_seeds": "dbt seeds",
    "dbt_staging": "dbt staging views",
    "dbt_intermediate": "dbt intermediate models",
    "dbt_marts": "dbt marts",
    "figures": "Figures and exports",
}


def _node(key: AssetKey) -> str:
    return "n_" + re.sub(r"[^0-9A-Za-z_]", "_", "__".join(key.path))


def lineage_markdown(asset_graph) -> str:
    """The lineage of ``asset_graph`` (a Dagster ``AssetGraph``) as Markdown: a Mermaid flowchart
    with one subgraph per asset group and one edge per dependency, then the same edges as a list
    (upstream -> downstream, by asset key)."""
    keys = sorted(asset_graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
    by_group: dict[str, list[AssetKey]] = {}
    for key in keys:
        by_group.setdefault(asset_graph.get(key).group_name or "other", []).append(key)
    edges = sorted(
        (parent, key)
        for key in keys
        for parent in asset_graph.get(key).parent_keys
        if parent in asset_graph.get_all_asset_keys()
    )
    lines = [
        "# Lineage of the U.S. ATP exports warehouse",
        "",
        f"{len(keys)} assets and {len(edges)} dependencies of the Dagster code location `atp_warehouse`, from the raw",
        "Census tables to the figures (written by the `lineage` asset with every run; the interactive graph is in",
        "the Dagster UI, and the column-level docs are served by `make docs`).",
        "",
        "```mermaid",
        "flowchart LR",
    ]
    for group in [*GROUPS, *sorted(set(by_group) - set(GROUPS))]:
        if group not in by_group:
            continue
        lines.append(f'  subgraph {group}["{GROUPS.get(group, group)}"]')
        lines.extend(f'    {_node(key)}["{key.to_user_string()}"]' for key in by_group[group])
        lines.append("  end")
    lines.extend(f"  {_node(parent)} --> {_node(child)}" for parent, child in edges)
    lines += ["```", "", "## Dependencies", ""]
    lines.extend(f"- `{parent.to_user_string()}` -> `{child.to_user_string()}`" for parent, child in edges)
    return "\n".join(lines) + "\n"
