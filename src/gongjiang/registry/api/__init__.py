"""The register in the JSON API. Every object is fetched through the caller's scope first, so an id
of another school's record answers 404, exactly like one that does not exist.

The endpoints are grouped as the services are: `register` (majors, classes, registrations and
their status, the approval queue), `imports` (the register's spreadsheets) and `records`
(teachers, training, apprenticeships, internships, destinations, assessments, awards). They share
one router; importing the modules here, in this order, registers their endpoints on it."""

# The order of the endpoints in the OpenAPI document (and of the URL patterns) is this order.
# isort: off
from gongjiang.registry.api import register, imports, records

# isort: on
from gongjiang.registry.api.base import router

__all__ = ["imports", "records", "register", "router"]
