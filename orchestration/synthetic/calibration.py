"""The calibration of the SYNTHETIC sample, as data: the stylized facts of ATP exports to China
(the USITC briefing's, 2000-2008, and a SYNTHETIC extension after), the rest of the world's
composition, the lumps of airplane sales, the folding thresholds and the noise parameters that
keep the facts within their tolerances without round numbers (:mod:`orchestration.synthetic.generate`
says what each is for). Literal tables only: nothing here is computed."""

#: China's Schedule C code, and the country table's code of world ATP exports (its total, EYR).
CHINA = "5700"
WORLD_ATP_CODE = "0007"

# China: total ATP exports and Electronics exports, USD (briefing: ~13 %/yr 2000-2008,
# Electronics $922 million in 2000 and $6.6 billion in 2008, about half of ATP in 2008).
CHINA_ATP_2000_USD = 13.2e9 / 1.13**8
# Year-to-year departures from the smooth paths (2000 and 2008 stay exactly on the stated facts).
CHINA_ATP_WIGGLE = {2001: 1.03, 2002: 0.97, 2003: 1.02, 2004: 1.04, 2005: 0.98, 2006: 1.01, 2007: 0.99}
CHINA_ELECTRONICS_WIGGLE = {2001: 0.96, 2002: 1.04, 2003: 1.01, 2004: 0.97, 2005: 1.03, 2006: 0.99, 2007: 1.02}
# SYNTHETIC extension after 2008 (USD): growth to 2017, a dip in 2019-2020, a rise after.
CHINA_ATP_AFTER_2008_USD = {
    2009: 12.8e9,
    2010: 15.9e9,
    2011: 17.8e9,
    2012: 19.4e9,
    2013: 21.6e9,
    2014: 23.9e9,
    2015: 25.2e9,
    2016: 26.1e9,
    2017: 29.4e9,
    2018: 28.1e9,
    2019: 24.2e9,
    2020: 23.3e9,
    2021: 27.9e9,
    2022: 30.8e9,
    2023: 32.6e9,
}
CHINA_ELECTRONICS_AFTER_2008_USD = {
    2009: 6.1e9,
    2010: 7.6e9,
    2011: 7.9e9,
    2012: 8.6e9,
    2013: 9.7e9,
    2014: 10.8e9,
    2015: 11.5e9,
    2016: 12.0e9,
    2017: 13.6e9,
    2018: 13.2e9,
    2019: 11.4e9,
    2020: 11.5e9,
    2021: 13.6e9,
    2022: 14.9e9,
    2023: 15.3e9,
}

# Relative weights of the groups other than Electronics in ATP exports to China (anchor years,
# linearly interpolated, held after the last anchor); Electronics fills the rest.
CHINA_OTHER_GROUPS = {
    2000: {"01": 0.015, "02": 0.10, "03": 0.03, "04": 0.24, "06": 0.07, "07": 0.03, "08": 0.22, "09": 0.0, "10": 0.04},
    2001: {"01": 0.015, "02": 0.10, "03": 0.03, "04": 0.18, "06": 0.07, "07": 0.03, "08": 0.22, "09": 0.0, "10": 0.04},
    2008: {"01": 0.010, "02": 0.07, "03": 0.02, "04": 0.20, "06": 0.03, "07": 0.01, "08": 0.15, "09": 0.0, "10": 0.01},
    2015: {"01": 0.015, "02": 0.09, "03": 0.025, "04": 0.16, "06": 0.06, "07": 0.01, "08": 0.20, "09": 0.0, "10": 0.01},
    2023: {"01": 0.025, "02": 0.10, "03": 0.03, "04": 0.14, "06": 0.09, "07": 0.01, "08": 0.14, "09": 0.0, "10": 0.005},
}
# Composition of ATP exports to the rest of the world (anchor years, interpolated).
ROW_GROUPS = {
    2000: {
        "01": 0.020,
        "02": 0.08,
        "03": 0.020,
        "04": 0.33,
        "05": 0.26,
        "06": 0.04,
        "07": 0.01,
        "08": 0.220,
        "09": 0.010,
        "10": 0.01,
    },
    2008: {
        "01": 0.045,
        "02": 0.09,
        "03": 0.015,
        "04": 0.23,
        "05": 0.25,
        "06": 0.04,
        "07": 0.01,
        "08": 0.295,
        "09": 0.015,
        "10": 0.01,
    },
    2016: {
        "01": 0.055,
        "02": 0.10,
        "03": 0.015,
        "04": 0.20,
        "05": 0.22,
        "06": 0.05,
        "07": 0.01,
        "08": 0.320,
        "09": 0.020,
        "10": 0.01,
    },
    2023: {
        "01": 0.065,
        "02": 0.11,
        "03": 0.020,
        "04": 0.18,
        "05": 0.25,
        "06": 0.06,
        "07": 0.01,
        "08": 0.275,
        "09": 0.020,
        "10": 0.01,
    },
}
# Airplane sales are lumpy: a multiplier on Aerospace per year (China's group, a third of it on
# the rest of the world's composition) ...
AEROSPACE_LUMPS = {
    2000: 1.0,
    2001: 1.3,
    2002: 0.8,
    2003: 1.2,
    2004: 0.7,
    2005: 1.1,
    2006: 1.4,
    2007: 0.9,
    2008: 1.0,
    2009: 1.2,
    2010: 0.9,
    2011: 1.1,
    2012: 0.8,
    2013: 1.25,
    2014: 0.9,
    2015: 1.15,
    2016: 0.85,
    2017: 1.3,
    2018: 1.05,
    2019: 0.7,
    2020: 0.6,
    2021: 0.9,
    2022: 1.2,
    2023: 1.1,
}
# ... and on the airplanes' (HS4 8802) share of Aerospace.
AIRPLANE_LUMPS = {
    2000: 1.0,
    2001: 1.4,
    2002: 0.75,
    2003: 1.2,
    2004: 0.7,
    2005: 1.15,
    2006: 1.5,
    2007: 0.85,
    2008: 1.1,
    2009: 1.3,
    2010: 0.8,
    2011: 1.15,
    2012: 0.75,
    2013: 1.3,
    2014: 0.85,
    2015: 1.25,
    2016: 0.8,
    2017: 1.4,
    2018: 1.05,
    2019: 0.6,
    2020: 0.5,
    2021: 0.9,
    2022: 1.3,
    2023: 1.15,
}

# Folding thresholds (USD): groups and codes of a small partner under these are folded into its
# largest; each further code of a partner x segment needs this much value.
SMALL_GROUP_USD = 2_000_000
SMALL_CODE_USD = 1_000_000
SMALL_CHINA_CODE_USD = 3_000_000
# The thresholds below grow with the year's world ATP total over this reference, so that the
# number of records stays about the same from year to year.
SIZE_REFERENCE_USD = 250e9
# A partner x segment worth V USD ships at most sqrt(V / ROW_CODE_SCALE_USD) codes.
ROW_CODE_SCALE_USD = 4_000_000
# A partner x code x district value is spread over one month per this much (scaled with the
# year's size), up to 12 months.
MONTH_VALUE_USD = 100_000_000

# Noise that keeps the stated facts within their tolerances (module docstring) while no share
# comes out round: China's ATP total and Electronics within +-0.6 % of their paths, each other
# group of China on a smooth seeded path (about 6 % a year), China's product-segment shares
# moved by up to +-0.15 in logit.
CHINA_TOTAL_JITTER = 0.006
CHINA_ELECTRONICS_JITTER = 0.006
CHINA_GROUP_STEP_SIGMA = 0.06
CHINA_SEGMENT_LOGIT_JITTER = 0.15
# Other partners: ATP exports follow the partner's real total exports times an "ATP intensity"
# that differs by partner (level, log sigma 0.3) and drifts smoothly (about 5 % a year); each
# group's weight in the partner's mix likewise (level 0.35, about 8 % a year). Independent
# draws every year made partner series jump (Japan 2022 -> 2023: x 3.5).
INTENSITY_LEVEL_SIGMA = 0.3
INTENSITY_STEP_SIGMA = 0.05
MIX_LEVEL_SIGMA = 0.35
MIX_STEP_SIGMA = 0.08

# Non-ATP exports: NON_ATP_SHARE of what a partner's real total leaves after its ATP codes,
# spread over the universe of non-ATP codes (orchestration.synthetic.filler); values under
# SMALL_NON_ATP_USD are dropped (USD 2,500 is the Census filing threshold per Schedule B code).
NON_ATP_SHARE = 0.4
NON_ATP_PARTNER_SIGMA = 0.35
SMALL_NON_ATP_USD = 2_500
# Checked every year (AssertionError otherwise): non-ATP value on at least this many codes, and
# no code above this share of the year's non-ATP total.
MIN_NON_ATP_CODES = 1_000
MAX_NON_ATP_CODE_SHARE = 0.02
