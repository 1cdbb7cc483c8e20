"""The conditions in force from 2020, when level assessment (职业技能等级认定) replaced the old
qualification tests: the general 申报条件 of the national occupational standards (prior level and
years in the trade, or the class level of a school course), and the levels that world and
national competition medals confer directly. Later changes are new rows with new dates."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

FROM = dt.date(2020, 1, 1)

# (level, prior level, years in the trade, class level, final year only)
ELIGIBILITY = [
    (5, None, "1", "", False),
    (5, None, "0", "intermediate", False),
    (4, 5, "4", "", False),
    (4, None, "6", "", False),
    (4, None, "0", "intermediate", True),
    (4, None, "0", "senior", False),
    (3, 4, "5", "", False),
    (3, None, "0", "senior", True),
    (3, None, "0", "preparatory_technician", False),
    (2, 3, "4", "", False),
    (2, None, "0", "preparatory_technician", True),
    (1, 2, "4", "", False),
]

AWARDS = [
    ("world", ["金牌", "银牌", "铜牌"], 1),
    ("world", ["优胜奖"], 2),
    ("national", ["金牌", "银牌", "铜牌"], 2),
    ("national", ["优胜奖"], 3),
]


def seed(apps, schema_editor):
    EligibilityRule = apps.get_model("assessment", "EligibilityRule")
    AwardRule = apps.get_model("assessment", "AwardRule")
    EligibilityRule.objects.bulk_create(
        EligibilityRule(
            skill_level=level,
            prior_level=prior,
            min_years=Decimal(years),
            class_level=class_level,
            final_year=final_year,
            effective_from=FROM,
        )
        for level, prior, years, class_level, final_year in ELIGIBILITY
    )
    AwardRule.objects.bulk_create(
        AwardRule(competition_level=kind, ranks=ranks, skill_level=level, effective_from=FROM)
        for kind, ranks, level in AWARDS
    )


def unseed(apps, schema_editor):
    apps.get_model("assessment", "EligibilityRule").objects.filter(effective_from=FROM).delete()
    apps.get_model("assessment", "AwardRule").objects.filter(effective_from=FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_create_assessment")]

    operations = [migrations.RunPython(seed, unseed)]
