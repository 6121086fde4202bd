"""Static tables of the SYNTHETIC bundled sample: splits at HS revisions, product segments that
carry the briefing's product facts, non-ATP codes of the export history, districts.

Every HS10 code named here that is not marked synthetic is a real code of the Census Schedule B
export concordance of 2019 (``warehouse/sample/2019/exp-code.txt``); :mod:`.lists` checks that
when it builds the lists and raises ``ValueError`` otherwise. Codes marked synthetic are invented
10-digit codes that are NOT in the 2019 list; they share an HS8 prefix with their relatives.

Nothing here is Census data about trade: the weights, segment shares and splits are the
generator's calibration of SYNTHETIC files.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.dbt_settings import DEFAULT_BASE_YEAR

#: The seed of the bundled sample (``atp generate-sample``): the same seed gives byte-identical files.
DEFAULT_SEED = 2009
FIRST_YEAR = 2000
LAST_YEAR = 2023
REAL_LIST_YEAR = 2019
#: The warehouse's fixed-definition base year (``dbt_project.yml``): every code of every year must
#: link to its list.
BASE_YEAR = DEFAULT_BASE_YEAR
#: Years whose concordance is written as CONCORD.TXT (245); later years get exp-code.txt (278).
LAST_CONCORD_YEAR = 2011

GROUPS = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10")


@dataclass(frozen=True)
class Split:
    """One code split at an HS revision.

    ``revision`` is the first year of the new codes. For a revision up to 2019 the ``children``
    are real 2019 codes that did not exist yet before ``revision`` and the ``parent`` is a
    synthetic code that covered them (it exists up to ``revision - 1``); ``wording`` and
    ``short_wording`` are the parent's long and short descriptions, put together from the
    children's real Census wording (the generator appends a SYNTHETIC qualifier). For 2022 the
    ``parent`` is a real 2019 code (it exists up to 2021) and the ``children`` are synthetic
    codes, described by the parent's real wording plus a SYNTHETIC qualifier.
    """

    revision: int
    parent: str
    children: tuple[str, ...]
    wording: str = ""
    short_wording: str = ""


SPLITS: tuple[Split, ...] = (
    # HS 2002: hard disk drives, small-signal transistors, electro-diagnostic apparatus
    Split(
        2002,
        "8471704060",
        ("8471704065", "8471704095"),
        "HARD MAGNETIC DISK DRIVE UNITS AND DISK DRIVE UNITS, NESOI, NOT IN CABINETS, W/OUT EXTERNAL "
        "POWER SUPPLY UNITS",
        "DISK DRIVE UNT INCL HARD, W/O EXT POW SPY",
    ),
    Split(
        2002,
        "8541210000",
        ("8541210040", "8541210080"),
        "TRANSISTORS, OTHER THAN PHOTOSENSITIVE, DISSIPATION RATE LESS THAN 1 W, INCL UNMOUNTED CHIPS, DICE, WAFERS",
        "TRANSISTORS NOT PHOTOSENSITIVE, LT 1 W",
    ),
    Split(
        2002,
        "9018199500",
        ("9018199535", "9018199550", "9018199560"),
        "ELECTRO-DIAGNOSTIC APPARATUS, INCL ELECTROENCEPHALOGRAPHS (EEG) AND ELECTROMYOGRAPHS (EMG), AND PARTS, NESOI",
        "ELECTRO-DIAGNOSTIC APP & PARTS, NESOI",
    ),
    # HS 2007: DRAM, desktop computers, cellular telephones, turbojets
    Split(
        2007,
        "8542320010",
        ("8542320015", "8542320023"),
        "ELECTRONIC INTEGRATED CIRCUITS, MEMORY, DYNAMIC READ-WRITE RANDOM ACCESS (DRAM)",
        "ELEC IC, MEM, DYNAMIC READ/WRITE (DRAM)",
    ),
    Split(
        2007,
        "8471410100",
        ("8471410110", "8471410150"),
        "DIGITAL ADP MACH COMPRISING IN SAME HOUSING AT LEAST A CPU AND AN INPUT AND OUTPUT UNIT, WITH OR WITHOUT CRT",
        "DIGITAL ADP MCH W CPU & INPUT/OUTPUT UNT",
    ),
    Split(
        2007,
        "8517120000",
        ("8517120020", "8517120050", "8517120080"),
        "TELEPHONES FOR CELLULAR NETWORKS OR FOR OTHER WIRELESS NETWORKS, INCLUDING RADIO TELEPHONES "
        "FOR MOTOR VEHICLES",
        "TELEPHONES FOR CELL/WIRELESS NETWORKS",
    ),
    Split(
        2007,
        "8411124000",
        ("8411124010", "8411124050"),
        "TURBOJET AIRCRAFT TURBINES (ENGINES), OF A THRUST EXCEEDING 25 KN",
        "TURBOJET A/C TURBINES, THRUST OVER 25 KN",
    ),
    # HS 2012: diodes, semiconductor assembly machines, processing units, apples (not ATP)
    Split(
        2012,
        "8541100090",
        ("8541100070", "8541100080"),
        "DIODES, OTHER THAN PHOTOSENSITIVE OR LED, NESOI",
        "SEMICONDUCTOR DIODES NOT PHOTOSENS, NESOI",
    ),
    Split(
        2012,
        "8486400000",
        ("8486400010", "8486400020", "8486400030"),
        "MACHINES AND APPARATUS FOR MASKS AND RETICLES, FOR ASSEMBLING SEMICONDUCTOR DEVICES OR ICS, "
        "AND FOR HANDLING WAFERS",
        "MACH & APPS FOR MASKS, ASSEMBLY, WAFERS",
    ),
    Split(
        2012,
        "8471500100",
        ("8471500110", "8471500150"),
        "DIGITAL PROCESSING UNITS EXC SUBHEADING 8471.41 OR 8471.49, MAY CONTAIN 1 OR 2 OF STORAGE, "
        "INPUT OR OUTPUT UNITS",
        "PROC UNT W/ EITHER STOR, IN&OUTPUT",
    ),
    Split(
        2012,
        "0808100000",
        ("0808100010", "0808100050"),
        "APPLES, FRESH",
        "APPLES, FRESH",
    ),
    # HS 2017: static and programmable memories, enriched uranium, NMR and mass spectrometers
    Split(
        2017,
        "8542320030",
        ("8542320040", "8542320050", "8542320060"),
        "ELECTRONIC INTEGRATED CIRCUITS, MEMORY, STATIC RANDOM ACCESS (SRAM) AND PROGRAMMABLE "
        "READ-ONLY (EEPROM, EPROM)",
        "ELEC IC, MEM, SRAM, EEPROM AND EPROM",
    ),
    Split(
        2017,
        "2844200015",
        ("2844200010", "2844200020"),
        "URANIUM OXIDE AND URANIUM FLUORIDE ENRICHED IN U235",
        "URANIUM OXIDE & FLUORIDE ENRICHED IN U235",
    ),
    Split(
        2017,
        "9027802000",
        ("9027802500", "9027802600"),
        "NUCLEAR MAGNETIC RESONANCE INSTRUMENTS AND APPARATUS (EXCEPT THOSE OF HEADING 9018) AND MASS SPECTROMETERS",
        "NMR INSTRUMENTS AND MASS SPECTROMETERS",
    ),
    # HS 2022: real 2019 codes split into synthetic children
    Split(2022, "8542310000", ("8542310010", "8542310090")),
    Split(2022, "3002200000", ("3002200010", "3002200090")),
    Split(2022, "8471300100", ("8471300110", "8471300150")),
    Split(2022, "8517620050", ("8517620060", "8517620070", "8517620090")),
)


@dataclass(frozen=True)
class Segment:
    """Codes of one ATP group that carry a product fact of the briefing.

    Members are the group's codes whose HS10 starts with one of ``prefixes``. ``china`` and
    ``row`` map anchor years to the segment's share of the group's exports to China and to the
    rest of the world (linearly interpolated, flat outside the anchors). ``lumpy`` segments are
    multiplied by the year's airplane lump (aircraft sales come in lumps).
    """

    name: str
    group: str
    prefixes: tuple[str, ...]
    china: dict[int, float]
    row: dict[int, float]
    lumpy: bool = False

    def matches(self, hs10_code: str) -> bool:
        """Whether ``hs10_code`` belongs to the segment (by prefix; the group is checked apart)."""
        return hs10_code.startswith(self.prefixes)


SEGMENTS: tuple[Segment, ...] = (
    # semiconductors (HS4 8541 and 8542): about 90 % of Electronics to China in 2008
    Segment(
        "semiconductors",
        "05",
        ("8541", "8542"),
        china={2000: 0.80, 2008: 0.90, 2015: 0.88, 2023: 0.86},
        row={2000: 0.62, 2008: 0.65, 2023: 0.68},
    ),
    # hard disk drives (8471.70) heavier to China, computers (8471.30/41/49/50) to the rest of
    # the world: hard drives offset computers in the ICT gap after 2001
    Segment(
        "hard disk drives",
        "04",
        ("847170",),
        china={2000: 0.15, 2002: 0.28, 2008: 0.50, 2015: 0.42, 2023: 0.36},
        row={2000: 0.08, 2008: 0.07, 2023: 0.06},
    ),
    Segment(
        "computers",
        "04",
        ("847130", "847141", "847149", "847150"),
        china={2000: 0.20, 2008: 0.12, 2023: 0.10},
        row={2000: 0.40, 2008: 0.38, 2023: 0.32},
    ),
    # blood fractions (3002.12, 3002.19) and human vaccines (3002.20) go mainly to the rest of
    # the world: the biotech gap widens
    Segment(
        "blood fractions and human vaccines",
        "01",
        ("300212", "300219", "300220"),
        china={2000: 0.22, 2008: 0.12, 2023: 0.12},
        row={2000: 0.50, 2008: 0.68, 2023: 0.68},
    ),
    # airplanes (HS4 8802): lumpy from year to year
    Segment(
        "airplanes",
        "08",
        ("8802",),
        china={2000: 0.50, 2023: 0.50},
        row={2000: 0.45, 2023: 0.45},
        lumpy=True,
    ),
)

#: Relative weights of the codes the product facts depend on (other codes get a seeded
#: log-normal weight with median 1), so that they dominate their segments.
FACT_WEIGHTS: dict[str, float] = {
    "8471704065": 9.0,  # hard disk drive units, without external power supply
    "8471705065": 7.0,  # hard magnetic disk drive units, nesoi
    "8471300100": 8.0,  # portable computers
    "8471410150": 5.0,  # computers with CPU and I/O unit, without CRT
    "8471490000": 4.0,  # computers presented as systems
    "8471500150": 5.0,  # processing units
    "8542310000": 14.0,  # processors and controllers
    "8542320015": 4.0,  # DRAM, not over 1 gigabit
    "8542320023": 6.0,  # DRAM, over 1 gigabit
    "8542390000": 8.0,  # integrated circuits, nesoi
    "8542330000": 3.0,  # amplifiers
    "3002120090": 5.0,  # antisera and other blood fractions
    "3002190000": 3.0,  # blood fractions, nesoi
    "3002200000": 6.0,  # vaccines for human medicine
    "8802400040": 10.0,  # passenger transports over 15,000 kg
    "8802400060": 2.0,  # cargo transports over 15,000 kg
    "8800000000": 6.0,  # civilian aircraft, engines, equipment and parts
    "8803300010": 6.0,  # civil aircraft parts nesoi
    "8411124010": 4.0,  # civil turbojets over 25 kN
    "8411917010": 3.0,  # parts of civil turbojets
}

#: Real non-ATP codes of the 2019 list that are always in the export history's universe of
#: non-ATP codes (never on the ATP list): codes with leading zeros, the 2012 split of apples, and
#: well-known products. Their values come from the same chapter weights as every other non-ATP
#: code (:data:`CHAPTER_WEIGHTS`); naming them only guarantees that they are there.
NON_ATP_CODES: tuple[str, ...] = (
    "0101210000",  # horses, purebred breeding
    "0201306000",  # beef, boneless, fresh or chilled
    "0203294000",  # pork, frozen
    "0207140090",  # chicken meat, frozen
    "0802120000",  # almonds, shelled
    "0808100010",  # apples, certified organic
    "0808100050",  # apples, fresh
    "1001992055",  # wheat
    "1005902030",  # yellow dent corn
    "1201900095",  # soybeans
    "2709002090",  # crude petroleum
    "2710191600",  # kerosene-type jet fuel
    "2711120000",  # propane, liquefied
    "3004909215",  # antineoplastic medicaments
    "3004909220",  # cardiovascular medicaments
    "3901200000",  # polyethylene
    "4707100000",  # waste kraft paper
    "5201001090",  # cotton
    "7108121010",  # gold bullion
    "7204490070",  # shredded steel scrap
    "7602000090",  # aluminum scrap
    "8407342090",  # spark-ignition engines over 2000 cc
    "8411994000",  # parts of non-aircraft gas turbines
    "8413702090",  # centrifugal pumps
    "8429521010",  # hydraulic crawler excavators
    "8481809050",  # taps, cocks, valves nesoi
    "8544420000",  # insulated conductors with connectors
    "8701951010",  # agricultural tractors
    "8703240150",  # passenger cars over 3000 cc
    "8708998175",  # motor vehicle parts nesoi
    "9018390050",  # cannulae and parts
    "9027100000",  # gas or smoke analysis apparatus
)

#: How many codes never on the ATP list the export histories use (the named ones above plus real
#: non-ATP 2019 codes drawn at random, the same in every year): the non-ATP exports of every
#: year are spread over all of them.
NON_ATP_UNIVERSE_SIZE = 1_100

#: Relative size of non-ATP U.S. exports by HS chapter (HS2), in percent of the total: rough,
#: rounded magnitudes of U.S. goods exports by chapter in the 2010s (machinery 84, vehicles 87,
#: mineral fuels 27, electrical machinery 85, precious metals 71, plastics 39, ... down to live
#: animals 01), net of the chapters' ATP codes. A SYNTHETIC calibration that keeps each
#: code's value plausible for its kind of product (no billions on live horses), not Census data.
#: A chapter not named here weighs :data:`OTHER_CHAPTER_WEIGHT`.
CHAPTER_WEIGHTS: dict[str, float] = {
    "84": 12.0,
    "87": 8.0,
    "27": 8.0,
    "85": 7.0,
    "71": 4.0,
    "39": 4.0,
    "30": 3.0,
    "88": 3.0,
    "90": 3.0,
    "29": 2.5,
    "38": 2.0,
    "12": 1.8,
    "10": 1.3,
    "02": 1.2,
    "08": 1.2,
    "28": 1.0,
    "48": 1.0,
    "72": 1.0,
    "73": 1.0,
    "26": 0.8,
    "76": 0.8,
    "33": 0.7,
    "40": 0.7,
    "94": 0.7,
    "21": 0.6,
    "23": 0.5,
    "44": 0.5,
    "47": 0.5,
    "03": 0.4,
    "20": 0.4,
    "22": 0.4,
    "32": 0.4,
    "52": 0.4,
    "74": 0.4,
    "95": 0.4,
    "04": 0.3,
    "07": 0.3,
    "15": 0.3,
    "31": 0.3,
    "34": 0.3,
    "70": 0.3,
    "82": 0.3,
    "89": 0.3,
    "49": 0.25,
    "19": 0.2,
    "25": 0.2,
    "35": 0.2,
    "83": 0.2,
    "86": 0.2,
    "93": 0.2,
    "98": 0.2,
    "37": 0.15,
    "56": 0.15,
    "59": 0.15,
    "62": 0.15,
    "68": 0.15,
    "05": 0.1,
    "09": 0.1,
    "11": 0.1,
    "16": 0.1,
    "17": 0.1,
    "24": 0.1,
    "41": 0.1,
    "61": 0.1,
    "63": 0.1,
    "96": 0.1,
    "97": 0.1,
    "01": 0.07,
    "18": 0.07,
    "69": 0.07,
    "64": 0.05,
    "91": 0.05,
    "06": 0.03,
    "92": 0.03,
}
OTHER_CHAPTER_WEIGHT = 0.05

#: Schedule D customs districts of exportation used by the sample. Leading zeros on purpose
#: (01 Portland ME, 04 Boston, 07 Ogdensburg, 09 Buffalo).
DISTRICTS: tuple[str, ...] = (
    "01",
    "04",
    "07",
    "09",
    "10",
    "13",
    "20",
    "23",
    "27",
    "28",
    "30",
    "38",
    "39",
    "52",
    "53",
    "55",
)

#: Districts that carry most of the land trade with Canada (1220) and Mexico (2010).
LAND_DISTRICTS: dict[str, tuple[str, ...]] = {"1220": ("07", "09", "38"), "2010": ("23", "55")}
