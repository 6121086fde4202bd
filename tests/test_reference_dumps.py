"""Every mart and every figure CSV equals the reference dumps taken at the last commit before the
house-in-order refactor (tests/reference/, written by tests/reference_dumps.py): a change of model
SQL, of the figure code or of the module layout that changes a number fails here, with the table
or file named. On the bundle (built by ``make run`` in test_bundled_build.py, plus the CN_HK
figures over 2000-2008) and on the tiny hand-computed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import reference_dumps


def test_the_tiny_input_equals_its_reference_dump(built: Path) -> None:
    differences = reference_dumps.differences(
        reference_dumps.dump(built / "wh" / "atp.duckdb", built / "exports"), reference_dumps.load("tiny")
    )
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize("name", ["bundle", "tiny"])
def test_the_reference_holds_every_mart_and_figure(name: str) -> None:
    reference = reference_dumps.load(name)
    assert {"dim_partners", "fct_atp_exports", "fct_specialization_gaps", "fct_hs10_gap_contributions_top"} <= set(
        reference["marts"]
    )
    assert len(reference["figures"]) == (12 if name == "bundle" else 6)
