"""The marts of the dbt project and the models each figure reads (its exposures), read from its
manifest (``dbt parse``): the one list of them, for ``atp tables``, ``atp summary`` and the figure
assets. Plain JSON (no dbt, no Dagster)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

#: A full stop that ends a sentence (not the one of "e.g.", "i.e." or "U.S.").
SENTENCE_END = r"(?<!e\.g)(?<!i\.e)(?<!U\.S)\.(?:\s|$)"


def mart_nodes(manifest: Path) -> list[dict[str, Any]]:
    """The models under ``models/marts`` in a dbt ``manifest.json``, by name (each the manifest's
    node: ``name``, ``description``, ...). Raises ``OSError`` or ``ValueError`` for a missing or
    unreadable manifest."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return sorted((n for n in nodes if n["resource_type"] == "model" and "marts" in n["fqn"]), key=lambda n: n["name"])


def mart_names(manifest: Path) -> list[str]:
    """The names of the marts (:func:`mart_nodes`), sorted."""
    return [node["name"] for node in mart_nodes(manifest)]


def exposure_models(manifest: Path) -> dict[str, list[str]]:
    """The dbt models each exposure of a ``manifest.json`` depends on, by exposure name (the six
    figures, ``dbt_project/models/_figures__exposures.yml``), each list in declaration order.
    Raises ``OSError`` or ``ValueError`` for a missing or unreadable manifest."""
    content = json.loads(manifest.read_text(encoding="utf-8"))
    names = {unique_id: node["name"] for unique_id, node in content["nodes"].items()}
    return {
        exposure["name"]: [names[unique_id] for unique_id in exposure["depends_on"]["nodes"]]
        for exposure in content["exposures"].values()
    }


def first_sentence(description: str) -> str:
    """The first sentence of a model's description, on one line, without its full stop."""
    return re.split(SENTENCE_END, " ".join(description.split()), maxsplit=1)[0]


def grain(description: str) -> str | None:
    """What one row of a model is, as its description states it (``Grain: ...``); None when it
    does not."""
    found = re.search(rf"Grain: (.*?){SENTENCE_END}", " ".join(description.split()) + " ")
    return found.group(1) if found else None
