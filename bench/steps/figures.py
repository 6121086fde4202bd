"""(f) The six figures for the default partner (China) over every complete year, drawn from the
warehouse file and written to the exports folder, as the figure assets do. Prints how many."""

from __future__ import annotations

import duckdb

from bench.steps import step_args
from orchestration import figures


def main() -> None:
    args = step_args()
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        options = figures.resolve_figure_options(con)
        for number in figures.FIGURE_NAMES:
            figures.write_figure(figures.draw_figure(con, number, options), args.exports)
    print(len(figures.FIGURE_NAMES))


if __name__ == "__main__":
    main()
