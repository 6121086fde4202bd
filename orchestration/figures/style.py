"""The look of the figures, as data: one colour per meaning across all of them, unit labels,
and the words for the ATP definitions and the trade flows.

Colours: each ATP group (``hitech`` 01-10) has its own colour wherever a group is coloured
(figures 2, 4 and 6); the partner, the rest of the world and the world each have one colour that
no group uses, and so do the fixed-definition and chain-linked series and the reclassification
effect of figure 5. No colour carries two meanings. Group colours are medium tones from a
qualitative palette (ColorBrewer Dark2 and Tableau 10, with no red, grey or black); the partner is
crimson, and its figure 5 variants are shades of it (darker: fixed definition, lighter:
chain-linked, pale: the reclassification effect); the rest of the world is charcoal and the world
mid grey. Neutral ink (zero lines, grid, caption) is not a data colour. Figure 7 (the trade
balance) draws each group's balance in the group's colour and the balance of all groups in the
partner's colour (with the partner) or the world's (with the world).
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.figures.options import AS_PUBLISHED, CHAIN_LINKED, TRADE_FLOWS
from orchestration.provenance import EXPORTS, IMPORTS

#: ``hitech`` code -> colour of the group in every figure.
GROUP_COLORS = {
    "01": "#66a61e",  # Biotechnology: green
    "02": "#1b9e77",  # Life Science: teal
    "03": "#e6ab02",  # Opto-Electronics: mustard
    "04": "#1f78b4",  # Information & Communications: blue
    "05": "#d95f02",  # Electronics: orange
    "06": "#7570b3",  # Flexible Manufacturing: slate purple
    "07": "#a6761d",  # Advanced Materials: brown
    "08": "#17becf",  # Aerospace: cyan
    "09": "#e7298a",  # Weapons: magenta
    "10": "#bcbd22",  # Nuclear Technology: olive
}
#: Colour of a group code the palette does not know (never expected: Census has ten groups).
UNKNOWN_GROUP_COLOR = "#cccccc"

#: ATP trade with the partner (every definition's headline series, the partner's share, the
#: partner's balance of all groups).
PARTNER_COLOR = "#b2182b"
#: ATP trade with the rest of the world (world minus the partner).
REST_OF_WORLD_COLOR = "#404040"
#: ATP trade with the world (and the world balance of all groups).
WORLD_COLOR = "#999999"
#: Figure 5: the partner's series under the fixed base-year list and chain-linked, and the
#: reclassification effect (as published minus fixed), with the bars' edge.
FIXED_DEFINITION_COLOR = "#67001f"
CHAIN_LINKED_COLOR = "#f4a582"
RECLASSIFICATION_COLOR = "#fddbc7"
RECLASSIFICATION_EDGE_COLOR = FIXED_DEFINITION_COLOR

#: Every colour that carries a meaning other than a group (none of them is a group colour).
SERIES_COLORS = {
    "partner": PARTNER_COLOR,
    "rest_of_world": REST_OF_WORLD_COLOR,
    "world": WORLD_COLOR,
    "fixed_definition": FIXED_DEFINITION_COLOR,
    "chain_linked": CHAIN_LINKED_COLOR,
    "reclassification_effect": RECLASSIFICATION_COLOR,
}

#: Neutral ink: zero lines, grid lines, the caption.
ZERO_LINE_COLOR = "#000000"
GRID_COLOR = "#dddddd"
CAPTION_COLOR = "#444444"

#: Unit labels: money is nominal.
USD_BILLIONS = "USD billions (current U.S. dollars)"
#: The same on two lines, for a y axis.
USD_BILLIONS_AXIS = "USD billions\n(current U.S. dollars)"
PERCENT = "%"
PERCENTAGE_POINTS = "percentage points"


def group_color(hitech_code: str) -> str:
    """The colour of ATP group ``hitech_code`` (``"05"`` -> orange) in every figure."""
    return GROUP_COLORS.get(str(hitech_code), UNKNOWN_GROUP_COLOR)


def definition_label(definition: str) -> str:
    """Words for a definition: ``"as published"``, ``"fixed 2008 ATP list"``, ``"chain-linked"``."""
    if definition.startswith("fixed_"):
        return f"fixed {definition.removeprefix('fixed_')} ATP list"
    return {AS_PUBLISHED: "as published", CHAIN_LINKED: "chain-linked"}.get(definition, definition)


@dataclass(frozen=True)
class FlowWords:
    """How the figures speak of one trade flow: ``noun`` (``"exports"``), ``adjective``
    (``"export"``), ``preposition`` towards the partner (``"to"``, ``"from"``), ``basis`` (how
    Census values it: ``"f.a.s."``; ``"general imports, customs value"``), ``partner_role`` (what
    the partner is: the country of destination or of origin) and ``world_verb`` (the share of the
    world's that ``"go to"`` / ``"come from"`` the partner)."""

    noun: str
    adjective: str
    preposition: str
    basis: str
    partner_role: str
    world_verb: str

    def with_partner(self, name: str) -> str:
        """``"exports to China"``, ``"imports from China"``."""
        return f"{self.noun} {self.preposition} {name}"


#: The words of each trade flow (``trade_flow`` of the marts), the one place they are spelled.
FLOW_WORDS = {
    EXPORTS: FlowWords("exports", "export", "to", "f.a.s.", "country of destination", "go to"),
    IMPORTS: FlowWords("imports", "import", "from", "general imports, customs value", "country of origin", "come from"),
}
#: What the balance of figure 7 is, in the field's terms.
BALANCE_DEFINITION = (
    "Balance = U.S. ATP exports (f.a.s.) minus U.S. ATP general imports (customs value); below zero: a deficit"
)


def flow_words(flow: str) -> FlowWords:
    """The words of trade ``flow`` (``"exports"`` or ``"imports"``); ``KeyError`` naming the valid
    flows for another."""
    if flow not in FLOW_WORDS:
        raise KeyError(f"flow {flow!r} is not one of {', '.join(TRADE_FLOWS)}")
    return FLOW_WORDS[flow]
