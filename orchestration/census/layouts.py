"""Census Bureau fixed-width record layouts used by the warehouse.

Each layout is a tuple of :class:`Field` with 1-based inclusive positions exactly as printed in
the Census documentation, so the code can be checked against the document line by line.

Sources:
- U.S. Census Bureau, Foreign Trade Division, "U.S. Exports 5 Year History Files - Layouts"
  (census.gov/foreign-trade/reference/products/layouts/exhdb.html):
  ``CONCORD.TXT``, exports concordance, record length 245 (``hitech`` in positions 234-235);
  ``COUNTRY.TXT``, country code list, record length 51; ``EXP_HIST.TXT``, export history in the
  EM545 / EA645 layout, record length 120 (DF, HS10, country, district, month, year, quantities,
  value in dollars, vessel and air).
- U.S. Census Bureau, Foreign Trade Division, ``EXP-STRU.TXT`` and ``IMP-STRU.TXT`` in
  ``SBSDF.ZIP`` (census.gov/foreign-trade/schedules/b/#download): the Schedule B record layout of
  ``exp-code.txt`` (and the same layout for the HTS import codes of ``imp-code.txt``), record
  length 278 with ``HITECH`` in positions 277-278; the gaps between its fields are blank.
- U.S. Census Bureau, Foreign Trade Division, "U.S. Imports Merchandise Trade Files - Layouts"
  (census.gov/foreign-trade/reference/products/layouts/imdb.html): the historical import
  ``CONCORD.TXT``, record length 235 (``hitech`` in positions 234-235, no ``years_ap``).
- U.S. Census Bureau, Foreign Trade Division, "Merchandise Trade - Imports - Annual History,
  IM 145 / IA 245 record layout" (census.gov/foreign-trade/reference/products/layouts/im145.html):
  the annual import history, record length 253.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["code", "text", "int", "usd", "blank", "skip"]


@dataclass(frozen=True)
class Field:
    """One field of a fixed-width record.

    ``start`` and ``end`` are 1-based and inclusive, as in the Census layouts. ``kind`` says how
    the loader types it: ``code`` (digits kept as a string, leading zeros preserved), ``text``
    (trimmed string), ``int`` (zero-padded digits to BIGINT) or ``usd`` (zero-padded whole U.S.
    dollars to BIGINT); ``blank`` positions between fields must hold spaces and ``skip``
    positions (a filler) are not read; neither is loaded. ``required`` fields may not be blank.
    """

    name: str
    start: int
    end: int
    kind: FieldKind
    required: bool = False
    pattern: str | None = None  # regular expression the trimmed value must fully match

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    @property
    def is_loaded(self) -> bool:
        """Whether the field becomes a column (gaps and fillers do not)."""
        return self.kind not in ("blank", "skip")


@dataclass(frozen=True)
class Layout:
    """A named fixed-width record layout with its record length; ``fields`` cover every position
    from 1 to ``record_length`` in order (checked when the layout is defined)."""

    name: str
    record_length: int
    fields: tuple[Field, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Names of the loaded fields, in record order."""
        return tuple(f.name for f in self.fields if f.is_loaded)

    def __post_init__(self) -> None:
        position = 1
        for field in self.fields:
            if field.start != position:
                raise ValueError(f"{self.name}: field {field.name} starts at {field.start}, expected {position}")
            position = field.end + 1
        if position - 1 != self.record_length:
            raise ValueError(
                f"{self.name}: fields cover {position - 1} positions, record length is {self.record_length}"
            )


CONCORD = Layout(
    name="CONCORD.TXT",
    record_length=245,
    fields=(
        Field("hs10_code", 1, 10, "code", required=True, pattern=r"[0-9]{10}"),
        Field("description", 11, 160, "text"),
        Field("short_description", 161, 210, "text"),
        Field("unit_qty1", 211, 213, "text"),
        Field("unit_qty2", 214, 216, "text"),
        Field("sitc_code", 217, 221, "code"),
        Field("end_use_code", 222, 226, "code"),
        Field("naics_code", 227, 232, "code"),
        Field("usda_code", 233, 233, "code", pattern=r"[01]"),
        Field("hitech_code", 234, 235, "code", required=True, pattern=r"0[0-9]|10"),
        Field("years_ap", 236, 245, "text"),
    ),
)


def _gap(start: int, end: int) -> Field:
    return Field(f"blank_{start}_{end}", start, end, "blank")


SCHEDULE_B = Layout(
    name="Schedule B exp-code.txt",
    record_length=278,
    fields=(
        Field("hs10_code", 1, 10, "code", required=True, pattern=r"[0-9]{10}"),
        _gap(11, 14),
        Field("short_description", 15, 65, "text"),
        _gap(66, 69),
        Field("description", 70, 219, "text"),
        _gap(220, 224),
        Field("unit_qty1", 225, 227, "text"),
        _gap(228, 232),
        Field("unit_qty2", 233, 235, "text"),
        _gap(236, 240),
        Field("sitc_code", 241, 245, "code"),
        _gap(246, 250),
        Field("end_use_code", 251, 255, "code"),
        _gap(256, 260),
        Field("usda_code", 261, 261, "code", pattern=r"[01]"),
        _gap(262, 265),
        Field("naics_code", 266, 271, "code"),
        _gap(272, 276),
        Field("hitech_code", 277, 278, "code", required=True, pattern=r"0[0-9]|10"),
    ),
)

#: The layouts a Schedule B / HS10 concordance may come in; the record length tells them apart.
CONCORDANCE_LAYOUTS = (CONCORD, SCHEDULE_B)

COUNTRY = Layout(
    name="COUNTRY.TXT (country code list)",
    record_length=51,
    fields=(
        Field("cty_code", 1, 4, "code", required=True, pattern=r"[0-9]{4}"),
        Field("cty_desc", 5, 11, "text"),
        Field("cty_name", 12, 41, "text", required=True),
        Field("years_ap", 42, 51, "text"),
    ),
)

EXPORT_HISTORY = Layout(
    name="EM545/EA645 (export history)",
    record_length=120,
    fields=(
        Field("df_code", 1, 1, "code", required=True, pattern=r"[123]"),
        Field("filler", 2, 2, "skip"),
        Field("hs10_code", 3, 12, "code", required=True, pattern=r"[0-9]{10}"),
        Field("cty_code", 13, 16, "code", required=True, pattern=r"[0-9]{4}"),
        Field("district_code", 17, 18, "code", required=True, pattern=r"[0-9]{2}"),
        Field("stat_month", 19, 20, "int", required=True, pattern=r"0[1-9]|1[0-2]"),
        Field("stat_year", 21, 24, "int", required=True, pattern=r"[0-9]{4}"),
        Field("qty2", 25, 36, "int"),
        Field("record_count", 37, 48, "int"),
        Field("qty1", 49, 60, "int"),
        Field("value_usd", 61, 72, "usd", required=True),
        Field("vessel_weight_kg", 73, 84, "int"),
        Field("vessel_value_usd", 85, 96, "usd"),
        Field("air_weight_kg", 97, 108, "int"),
        Field("air_value_usd", 109, 120, "usd"),
    ),
)


IMPORT_CONCORD = Layout(
    name="imports CONCORD.TXT (imdb)",
    record_length=235,
    # the fields of the export CONCORD.TXT up to HITECH (234-235), without years_ap
    fields=tuple(field for field in CONCORD.fields if field.name != "years_ap"),
)

#: The layouts an import (HTS) concordance may come in, told apart by record length: the HTS
#: ``imp-code.txt`` of ``SBSDF.ZIP`` (``IMP-STRU.TXT``: the same 278 layout as ``exp-code.txt``)
#: or the historical imports ``CONCORD.TXT`` (235).
IMPORT_CONCORDANCE_LAYOUTS = (IMPORT_CONCORD, SCHEDULE_B)

#: The country subcode of an import record (positions 15-16): text, never a number. ``00``
#: country of origin, ``01`` country of shipment, and tariff program codes such as ``A``, ``A*``,
#: ``A+``, ``CA``, ``MX``, ``IL``, ``JO``, ``SG``, ``E*``, ``J+`` (left-aligned, blank-padded).
COUNTRY_SUBCODE_PATTERN = r"[0-9A-Z][0-9A-Z*+]?"

IMPORT_HISTORY = Layout(
    name="IM145/IA245 (import history)",
    record_length=253,
    fields=(
        Field("hs10_code", 1, 10, "code", required=True, pattern=r"[0-9]{10}"),
        Field("cty_code", 11, 14, "code", required=True, pattern=r"[0-9]{4}"),  # country of origin
        Field("cty_subcode", 15, 16, "code", required=True, pattern=COUNTRY_SUBCODE_PATTERN),
        Field("district_entry_code", 17, 18, "code", required=True, pattern=r"[0-9]{2}"),
        Field("district_unlading_code", 19, 20, "code", required=True, pattern=r"[0-9]{2}"),
        Field("rate_provision_code", 21, 22, "code", required=True, pattern=r"[0-9]{2}"),
        Field("stat_month", 23, 24, "int", required=True, pattern=r"0[1-9]|1[0-2]"),
        Field("filler", 25, 25, "skip"),
        Field("record_count", 26, 33, "int"),
        Field("con_qty1", 34, 45, "int"),
        Field("con_qty2", 46, 57, "int"),
        Field("con_value_usd", 58, 69, "usd", required=True),  # imports for consumption, customs value
        Field("dutiable_value_usd", 70, 81, "usd"),
        Field("duty_usd", 82, 93, "usd"),
        Field("con_charges_usd", 94, 105, "usd"),
        Field("con_cif_usd", 106, 117, "usd"),
        Field("gen_qty1", 118, 129, "int"),
        Field("gen_qty2", 130, 141, "int"),
        Field("gen_value_usd", 142, 153, "usd", required=True),  # general imports, customs value: ATP imports
        Field("gen_charges_usd", 154, 165, "usd"),
        Field("gen_cif_usd", 166, 177, "usd"),
        # Positions 178-253 hold further fields on the Census layout page (im145.html); the copy
        # of the page the project could consult shows only its beginning, so their names and
        # positions (air / vessel values and weights, perhaps a statistical year) are not
        # verified: they are a named filler, not read (no year check against the year folder).
        Field("unverified_178_253", 178, 253, "skip"),
    ),
)


def format_record(layout: Layout, values: dict[str, object]) -> str:
    """Render one record of ``layout`` from a mapping of field name to value.

    Numbers (``int``/``usd`` fields) are right-aligned and zero-padded; codes and text are
    left-aligned and blank-padded. Missing or ``None`` values, gaps and fillers are written as
    blanks. Raises
    ``ValueError`` naming the field when a value does not fit its width.
    """
    parts: list[str] = []
    for field in layout.fields:
        value = values.get(field.name)
        if value is None:
            text = " " * field.width
        elif field.kind in ("int", "usd"):
            text = str(int(value)).rjust(field.width, "0")
        else:
            text = str(value).ljust(field.width)
        if len(text) != field.width:
            raise ValueError(f"{layout.name}: field {field.name} value {value!r} does not fit {field.width} positions")
        parts.append(text)
    return "".join(parts)
