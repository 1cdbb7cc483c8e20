"""How insight's numbers are written on the pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def plain(value: float | None) -> str:
    """A count as a whole number with separators, anything else with two decimals; nothing for null."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


@register.filter
def whole(value: float | None) -> str:
    """A figure rounded to a whole number, with separators (a forecast, a mean pay); nothing for null."""
    if value is None:
        return ""
    return f"{round(float(value)):,}"
