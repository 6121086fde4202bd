"""(f) The figures for the default partner (China) over every complete year, drawn from the
warehouse file and written to the exports folder, as the figure assets do: figures 1-6 of ATP
exports and figure 7, the balance (which has nothing to draw, as in the assets, when the input
holds no import history). Prints how many were drawn."""

from __future__ import annotations

import duckdb

from bench.steps import step_args
from orchestration import figures


def main() -> None:
    args = step_args()
    drawn = 0
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        options = figures.resolve_figure_options(con)
        for number in figures.FIGURE_NAMES:
            try:
                figure = figures.draw_figure(con, number, options)
            except figures.FigureNotDrawn:
                continue
            figures.write_figure(figure, args.exports)
            drawn += 1
    print(drawn)


if __name__ == "__main__":
    main()
