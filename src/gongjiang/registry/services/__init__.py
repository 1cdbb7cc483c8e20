"""Writes to the register: `register` (school facts, majors, classes, registrations and their
status) and `records` (teachers, training, apprenticeships, internships, destinations,
assessments, awards). Callers import this package: `from gongjiang.registry import services`."""

from gongjiang.registry.services.records import (
    apprenticeship_create,
    assessment_record,
    award_record,
    destination_record,
    internship_create,
    practice_record,
    teacher_add,
    trainee_record,
    training_programme_create,
)
from gongjiang.registry.services.register import (
    MIN_PART_TIME_YEARS,
    TRANSITIONS,
    approval_days,
    class_create,
    major_apply,
    major_decide,
    person_find_or_register,
    registration_create,
    registration_decide,
    registration_decide_many,
    registration_request,
    school_profile_update,
)

__all__ = [
    "MIN_PART_TIME_YEARS",
    "TRANSITIONS",
    "apprenticeship_create",
    "approval_days",
    "assessment_record",
    "award_record",
    "class_create",
    "destination_record",
    "internship_create",
    "major_apply",
    "major_decide",
    "person_find_or_register",
    "practice_record",
    "registration_create",
    "registration_decide",
    "registration_decide_many",
    "registration_request",
    "school_profile_update",
    "teacher_add",
    "trainee_record",
    "training_programme_create",
]
