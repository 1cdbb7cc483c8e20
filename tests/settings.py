"""Test settings: the real settings, with a fast password hasher (hashing is not under test)
and web imports run inside the request."""

import datetime as dt
import os
from zoneinfo import ZoneInfo

from gongjiang.config.env import env_date
from gongjiang.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Unit tests hold their data in an open transaction that a background thread cannot see; the
# browser tests (committed data, a live server) turn background imports back on.
IMPORTS_IN_BACKGROUND = False
# Pages compute on the test database itself: a snapshot file would outlive each test's rollback.
INSIGHT_ENGINE = "db"
# Many tests verify from one address within a minute; the limit itself is tested with its own
# setting (tests/credentials/test_public_verify.py).
CREDENTIALS_VERIFY_PER_MINUTE = 10_000
# One day for the whole run, the day it started (or GONGJIANG_TODAY when given): a test that runs
# across midnight sees one day, and `GONGJIANG_TODAY=2027-01-04 ./gj test …` shows what depends
# on the month. Set in the environment too, so the commands the tests start see the same day.
GONGJIANG_TODAY = env_date("GONGJIANG_TODAY") or dt.datetime.now(ZoneInfo(TIME_ZONE)).date()  # noqa: F405
os.environ["GONGJIANG_TODAY"] = GONGJIANG_TODAY.isoformat()
