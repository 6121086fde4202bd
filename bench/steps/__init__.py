"""The steps ``make bench`` times, each a program run in a fresh process
(``python -m bench.steps.<step> <input folder> <year> <warehouse file> <exports folder>``, from
the repository) that prints what it counted: (a) ``line_read``, (b) ``read_fwf``, (c)
``year_load``, (d) ``dbt_build``, (f) ``figures``; (e) is ``atp refresh`` itself."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple


class StepArgs(NamedTuple):
    """The command line of a step: the input folder, the year, the warehouse file, the exports."""

    input_dir: Path
    year: int
    warehouse: Path
    exports: Path


def step_args(argv: list[str] | None = None) -> StepArgs:
    """The step's arguments (``sys.argv[1:]`` by default); the exports folder may be left out.
    Raises ``SystemExit`` with a usage line when fewer than three are given."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3:
        raise SystemExit("usage: python -m bench.steps.<step> INPUT_DIR YEAR WAREHOUSE [EXPORTS]")
    exports = Path(args[3]) if len(args) > 3 else Path(args[2]).parent / "exports"
    return StepArgs(Path(args[0]), int(args[1]), Path(args[2]), exports)
