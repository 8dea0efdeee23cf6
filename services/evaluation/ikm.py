"""IKM maths of PermenPANRB 14/2017: NRR per element, index, converted value and quality grade."""

from collections.abc import Mapping
from dataclasses import dataclass, field

ELEMENTS = tuple(f"u{i}" for i in range(1, 10))
# Lampiran: interval table, converted value (NIK) lower bounds after rounding to 2 decimals.
GRADES = (
    (88.31, "A", "Sangat Baik"),
    (76.61, "B", "Baik"),
    (65.00, "C", "Kurang Baik"),
    (0.0, "D", "Tidak Baik"),
)
EQUAL_WEIGHTS = dict.fromkeys(ELEMENTS, 1 / 9)
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


def grade_of(converted: float) -> tuple[str, str]:
    for bound, grade, label in GRADES:
        if converted >= bound:
            return grade, label
    return GRADES[-1][1], GRADES[-1][2]


def compute(tally: Tally, weights: Mapping[str, float] = EQUAL_WEIGHTS) -> Index | None:
    """NRR_i = sum_i / n; IKM = sum(NRR_i * w_i); converted = IKM x 25 rounded to 2 decimals."""
    if tally.count == 0:
        return None
    nrr = {e: tally.sums[e] / tally.count for e in ELEMENTS}
    index = sum(nrr[e] * weights[e] for e in ELEMENTS)
    converted = round(index * 25, 2)
    grade, label = grade_of(converted)
    return Index(
        tally.count, {e: round(v, 4) for e, v in nrr.items()}, round(index, 4), converted, grade, label
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
