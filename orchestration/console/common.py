"""What every ``atp`` command shares: refusing an option in one line, and a guarded read-only
connection to the published warehouse that says in one line when there is none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import duckdb
import typer


def refuse(option: str, message: str) -> NoReturn:
    """Refuse an option in one line on stderr (``--years: ...``) saying what is valid; exit 2."""
    typer.echo(f"{option}: {message}", err=True)
    raise typer.Exit(2)


@contextmanager
def reader(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A guarded read-only connection to the published warehouse
    (:func:`orchestration.inspector.open_reader`); a missing or damaged file is one line on
    stderr (naming it and `make run`) and exit 1."""
    from orchestration.inspector import WarehouseUnreadable, open_reader

    try:
        with open_reader(path) as con:
            yield con
    except WarehouseUnreadable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
