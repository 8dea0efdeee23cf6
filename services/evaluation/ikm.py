"""IKM maths of PermenPANRB 14/2017: NRR per element, index, converted value and quality grade."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ELEMENTS = tuple(f"u{i}" for i in range(1, 10))
# Lampiran: interval table, converted value (NIK) lower bounds after rounding to 2 decimals.
GRADES = (
    (Decimal("88.31"), "A", "Sangat Baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang Baik"),
    (Decimal("0.00"), "D", "Tidak Baik"),
)
CENT = Decimal("0.01")
EQUAL_WEIGHTS: dict[str, Fraction] = dict.fromkeys(ELEMENTS, Fraction(1, 9))
SAMPLE = 20  # response ids a tally carries as evidence (caused_by of the unit rule)


@dataclass(frozen=True)
class Tally:
    """Sums of the 1-4 answers per element and the number of responses (+ a few of their ids)."""

    sums: Mapping[str, int]
    count: int
    sample: tuple[str, ...] = field(default=(), compare=False)

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            {e: self.sums.get(e, 0) + other.sums.get(e, 0) for e in ELEMENTS},
            self.count + other.count,
            (self.sample + other.sample)[:SAMPLE],
        )


EMPTY = Tally(dict.fromkeys(ELEMENTS, 0), 0)


@dataclass(frozen=True)
class Index:
    respondents: int
    nrr: dict[str, float]
    index: float
    converted: float
    grade: str
    label: str


def grade_of(converted: float | Decimal) -> tuple[str, str]:
    value = Decimal(str(converted))
    for bound, grade, label in GRADES:
        if value >= bound:
            return grade, label
    return GRADES[-1][1], GRADES[-1][2]


def exact(weight: float | Fraction) -> Fraction:
    """A weight as the exact number it was written as (0.11 is 11/100, not the nearest double)."""
    return weight if isinstance(weight, Fraction) else Fraction(str(weight))


def half_up(value: Fraction, places: Decimal = CENT) -> Decimal:
    """Round an exact value half-up (PermenPANRB tables are read that way; Python's round is half-even)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, ROUND_HALF_UP)


def compute(tally: Tally, weights: Mapping[str, float | Fraction] = EQUAL_WEIGHTS) -> Index | None:
    """NRR_i = sum_i / n; IKM = sum(NRR_i * w_i); converted = IKM x 25, rounded half-up to 2 decimals.

    Exact arithmetic throughout (fractions), so a converted value of exactly 88.305 is 88.31 (A),
    never 88.30 (B) by a floating-point hair; the grade is read from the rounded value.
    """
    if tally.count == 0:
        return None
    nrr = {e: Fraction(tally.sums[e], tally.count) for e in ELEMENTS}
    index = sum((nrr[e] * exact(weights[e]) for e in ELEMENTS), Fraction(0))
    converted = half_up(index * 25)
    grade, label = grade_of(converted)
    shown = Decimal("0.0001")
    return Index(
        tally.count,
        {e: float(half_up(v, shown)) for e, v in nrr.items()},
        float(half_up(index, shown)),
        float(converted),
        grade,
        label,
    )


def quarters_of(period: str) -> list[str]:
    """A quarter, semester (YYYY-S1/S2) or year (YYYY) as the quarters it sums."""
    year, _, part = period.partition("-")
    if not part:
        return [f"{year}-Q{q}" for q in range(1, 5)]
    if part.startswith("S"):
        first = 1 if part == "S1" else 3
        return [f"{year}-Q{first}", f"{year}-Q{first + 1}"]
    return [period]
