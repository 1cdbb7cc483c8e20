from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongjiang.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from gongjiang.core import throttle  # noqa: F401  (registers the clean-up of past windows)
        from gongjiang.core.bounds import check_bounds_on_save

        # Every row the platform saves is bounded first (ADR 0023); bulk writers check their own.
        pre_save.connect(check_bounds_on_save, dispatch_uid="gongjiang.bounds")
