"""Optimistic locking, one rule for every edit: an edit names the version it was based on.

Without it, two clerks saving the same record at once both succeed and one loses the other's
work unseen. A form carries the version it showed; the API requires it; a missing or older
version is refused with what to do.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def require_version(current: int, expected: int | None) -> None:
    """Refuse an edit that does not name the version it read, or names an older one."""
    if expected is None:
        raise ValidationError({"version": _("修改须带上所依据的版本号（version），请刷新后重新提交。")})
    if current != expected:
        raise ValidationError(
            {"version": _("该记录已被他人修改（当前为第%(n)d版），请刷新后重新填写。") % {"n": current}}
        )
