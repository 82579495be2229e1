"""Money as values: CNY amounts are Decimal with two places at the edges and
integer cents inside. This module is the one rounding helper; nothing else
rounds money. Pure Python, no Django."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

CENT = Decimal("0.01")
_AMOUNT_RE = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def quantize(value: Decimal) -> Decimal:
    """Round a Decimal to cents, half up (the spec's round_half_up)."""
    return round_half_up(value, 2)


def round_half_up(value: Decimal | Fraction | int, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, half away from zero, as a
    Decimal with exactly that many places. Exact for a Fraction (a ratio
    such as 2/3 is rounded from its true value, not from a float or a
    truncated decimal). A result of zero carries no sign: "-0.00" is never
    printed."""
    if isinstance(value, Decimal):
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    else:
        exact = Fraction(value) * 10**places
        units = (2 * abs(exact.numerator) + exact.denominator) // (2 * exact.denominator)
        rounded = Decimal(-units if exact < 0 else units).scaleb(-places)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def to_cents(value: Decimal) -> int:
    """An amount of at most two decimals as integer cents (rounds half up)."""
    return int(quantize(value) * 100)


def from_cents(cents: int) -> Decimal:
    """Integer cents as a two-place Decimal."""
    return Decimal(cents).scaleb(-2).quantize(CENT)


def format_cents(cents: int) -> str:
    """Cents as the exchange format writes them: '-17.50', '4.00'."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def parse_amount_cents(text: str) -> int:
    """Parse an exchange-format amount ('1000', '333.33') into cents.

    Raises ValueError for anything that is not a plain decimal with '.' and at
    most two decimals. Zero and negative are rejected by the caller, which
    knows the column's rule."""
    if not _AMOUNT_RE.match(text):
        raise ValueError(text)
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def ratio(text: str | Decimal) -> tuple[int, int]:
    """A non-negative rate or weight ('0.05', '0.7') as an exact integer
    ratio (numerator, denominator), so splits are computed with integers."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(str(text)) from exc
    if not value.is_finite() or value < 0:
        raise ValueError(str(text))
    sign, digits, exponent = value.as_tuple()
    numerator = int("".join(map(str, digits)) or "0")
    assert isinstance(exponent, int)
    if exponent >= 0:
        return numerator * 10**exponent, 1
    return numerator, 10 ** (-exponent)


def pool_cents(amount_cents: int, rate: tuple[int, int]) -> int:
    """round_half_up(amount * rate, 0.01) in integer arithmetic, for amount >= 0."""
    num, den = rate
    return (2 * amount_cents * num + den) // (2 * den)
