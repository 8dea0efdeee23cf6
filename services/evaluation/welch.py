"""Two-sample statistics (pure): sufficient statistics of answers, Welch's interval, Student's t.

A `Sample` keeps what a mean and a sample variance need and nothing else (count, sum, sum of
squares of integer scores), so samples pool exactly by adding them. Welch's interval for the
difference of two means does not assume equal variances: se = sqrt(s1^2/n1 + s2^2/n2), with
the Welch-Satterthwaite degrees of freedom. The t quantile is solved from the regularized
incomplete beta function (Numerical Recipes, 3rd ed., 6.4: the continued fraction by Lentz's
method), so no statistics library is needed; tests check it against the printed t table.
"""

import math
from dataclasses import dataclass

LEVEL = 0.95
_EPS = 1e-15
_TINY = 1e-300


@dataclass(frozen=True)
class Sample:
    """Answers each scored by an integer sum over `k` elements: how many, their sum and sum of squares."""

    k: int
    n: int = 0
    total: int = 0
    squares: int = 0

    def __add__(self, other: "Sample") -> "Sample":
        if self.k != other.k:
            msg = "samples over different numbers of elements do not pool"
            raise ValueError(msg)
        return Sample(self.k, self.n + other.n, self.total + other.total, self.squares + other.squares)

    @property
    def mean(self) -> float | None:
        """The mean of the answers' means over their `k` elements."""
        return self.total / (self.k * self.n) if self.n else None

    @property
    def variance(self) -> float | None:
        """The sample variance (n - 1) of the answers' means; exact integers until the division."""
        if self.n < 2:  # noqa: PLR2004 - a variance needs two answers
            return None
        return (self.n * self.squares - self.total**2) / (self.n * (self.n - 1) * self.k**2)


@dataclass(frozen=True)
class Interval:
    difference: float
    low: float
    high: float
    se: float
    df: float | None  # None when both samples have no spread (the interval is the point)


def welch(before: Sample, after: Sample, level: float = LEVEL) -> Interval | None:
    """The difference after - before with its Welch interval; None unless both sides have 2+ answers."""
    if before.mean is None or after.mean is None or before.variance is None or after.variance is None:
        return None
    difference = after.mean - before.mean
    v1, v2 = before.variance / before.n, after.variance / after.n
    se = math.sqrt(v1 + v2)
    if se == 0:
        return Interval(difference, difference, difference, 0.0, None)
    df = (v1 + v2) ** 2 / (v1**2 / (before.n - 1) + v2**2 / (after.n - 1))
    half = t_quantile(1 - (1 - level) / 2, df) * se
    return Interval(difference, difference - half, difference + half, se, df)


def t_quantile(p: float, df: float) -> float:
    """The p-quantile (p > 0.5) of Student's t with `df` (> 0, not necessarily whole) degrees of freedom.

    Bisection on t for P(|T| > t) = 2(1 - p), where P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2).
    """
    if not 0.5 < p < 1 or df <= 0:  # noqa: PLR2004
        msg = "t_quantile needs 0.5 < p < 1 and df > 0"
        raise ValueError(msg)
    target = 2 * (1 - p)
    low, high = 0.0, 1.0
    while two_sided_tail(high, df) > target:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if two_sided_tail(middle, df) > target:
            low = middle
        else:
            high = middle
        if high - low < 1e-12 * high:
            break
    return (low + high) / 2


def two_sided_tail(t: float, df: float) -> float:
    """P(|T| > t) for Student's t with `df` degrees of freedom."""
    return regularized_beta(df / 2, 0.5, df / (df + t * t))


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularized incomplete beta function, for a, b > 0 and 0 <= x <= 1."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _continued_fraction(a, b, x) / a
    return 1 - math.exp(log_front) * _continued_fraction(b, a, 1 - x) / b


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) by the modified Lentz method (NR 6.4)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > _TINY else _TINY)
            c = 1 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1) < _EPS:
            break
    return h
