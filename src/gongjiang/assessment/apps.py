from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "gongjiang.assessment"
    label = "assessment"
    verbose_name = _("职业技能等级认定")
