from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RefdataConfig(AppConfig):
    name = "gongjiang.refdata"
    label = "refdata"
    verbose_name = _("参考数据")
