"""The shape of the code: no import cycle between the modules of ``orchestration`` and ``bench``
(imports inside functions included), and the layout table of ``docs/development.md`` names every
module and nothing that does not exist. The layers themselves are import-linter's contracts
(``.importlinter``, ``make lint``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("orchestration", "bench")
DEVELOPMENT_DOC = REPO_ROOT / "docs" / "development.md"


def module_name(path: Path) -> str:
    """``orchestration/census/load.py`` -> ``orchestration.census.load`` (a package: its name)."""
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the packages, by name."""
    return {module_name(p): p for package in PACKAGES for p in sorted((REPO_ROOT / package).rglob("*.py"))}


def imported(path: Path, name: str, known: set[str]) -> set[str]:
    """The modules of ``known`` that the module ``name`` (file ``path``) imports anywhere in its
    text, at the top or inside a function: ``import a.b``, ``from a import b`` (``a.b`` when it is
    a module, else ``a``), relative imports resolved against the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # ``import a.b.c`` of a package: the deepest module known
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the packages it imports (see :func:`imported`)."""
    found = modules()
    return {name: imported(path, name, set(found)) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as the modules along it (first = last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from pkg import c\n")
    (package / "c.py").write_text("from . import a\n")
    known = {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    graph = {name: imported(package / f"{name.split('.')[-1]}.py", name, known) for name in ("pkg.a", "pkg.b", "pkg.c")}
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.c"}, "pkg.c": {"pkg.a"}}
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
    assert find_cycle({"pkg.a": {"pkg.b"}, "pkg.b": set()}) is None


def test_no_import_cycle_between_modules_counting_imports_inside_functions() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def layout_paths() -> list[str]:
    """The paths in the first column of the layout table of ``docs/development.md`` (rows
    ``| `path` | job |``)."""
    text = DEVELOPMENT_DOC.read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\|\s*`([^`]+)`\s*\|", section, flags=re.MULTILINE)


def test_the_layout_table_names_every_module_and_only_paths_that_exist() -> None:
    """Every module of ``orchestration/`` and ``bench/`` has a row (a package: its folder's row),
    and every row names a file or folder that exists."""
    listed = layout_paths()
    assert listed, "docs/development.md has no layout table"
    missing = [p for p in listed if not (REPO_ROOT / p).exists()]
    assert not missing, f"the layout table names paths that do not exist: {missing}"
    files = sorted(str(p.relative_to(REPO_ROOT)) for package in PACKAGES for p in (REPO_ROOT / package).rglob("*.py"))
    # a package's __init__.py is named by its folder's row (``orchestration/census/``)
    unlisted = [f for f in files if f not in listed and f.removesuffix("__init__.py") not in listed]
    assert not unlisted, f"modules missing from the layout table of docs/development.md: {unlisted}"


def test_the_figures_read_only_models_their_dbt_exposures_declare(dbt_manifest: Path) -> None:
    """The models each figure reads are declared once, as dbt exposures; the figure assets depend
    on exactly those, and no model named in a FROM or JOIN of the figure code is missing there."""
    from dagster import AssetKey

    from orchestration.assets.exports import figure_asset_name, figure_assets
    from orchestration.figures import FIGURE_NAMES
    from orchestration.marts import exposure_models

    declared = exposure_models(dbt_manifest)
    assert set(declared) == {figure_asset_name(number) for number in FIGURE_NAMES}
    for asset in figure_assets:
        (key,) = asset.keys
        upstream = {dep.asset_key for dep in asset.specs_by_key[key].deps}
        assert upstream == {AssetKey([model]) for model in declared[key.path[-1]]}, key
    sql = "\n".join(path.read_text(encoding="utf-8") for path in (REPO_ROOT / "orchestration" / "figures").glob("*.py"))
    read = set(re.findall(r"\b(?:from|join)\s+((?:fct|dim|int|stg)_[a-z0-9_]+)", sql))
    assert read and read <= {model for models in declared.values() for model in models}, read
