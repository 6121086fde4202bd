"""(b) pandas ``read_fwf`` of one year's export history with the codes as strings: what a user
would write. The widths and names are the EM545/EA645 layout's
(:data:`orchestration.census.layouts.EXPORT_HISTORY`). Prints the rows read."""

from __future__ import annotations

import pandas as pd

from bench.steps import step_args
from orchestration.census.layouts import EXPORT_HISTORY
from orchestration.census.tables import EXPORT_HISTORY_FILE, input_file


def main() -> None:
    args = step_args()
    fields = EXPORT_HISTORY.fields
    frame = pd.read_fwf(
        args.input_dir / input_file(EXPORT_HISTORY_FILE, args.year),
        widths=[f.width for f in fields],
        names=[f.name for f in fields],
        header=None,
        dtype={f.name: str for f in fields if f.kind == "code"},
    )
    print(len(frame))


if __name__ == "__main__":
    main()
