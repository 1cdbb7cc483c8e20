"""How insight's numbers are written on the pages."""

from __future__ import annotations

import math

from django import template

register = template.Library()


@register.filter
def plain(value: float | None) -> str:
    """A count as a whole number with separators, anything else with two decimals; nothing for null."""
    if value is None:
        return ""
    if not math.isfinite(float(value)):
        return "—"  # a model that diverged says so rather than breaking the page
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


@register.filter
def whole(value: float | None) -> str:
    """A figure rounded to a whole number, with separators (a forecast, a mean pay); nothing for null."""
    if value is None:
        return ""
    if not math.isfinite(float(value)):
        return "—"
    return f"{round(float(value)):,}"
