from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "gongjiang.market"
    label = "market"
    verbose_name = _("产教融合服务")
