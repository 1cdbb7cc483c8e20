from __future__ import annotations

from typing import Any

from gongjiang.core.actors import Actor
from gongjiang.core.policies import rule


@rule("refdata.load")
def _refdata_load(actor: Actor, _target: Any) -> bool:
    # Code tables are national standards: only operators (and the command line) load them.
    return False
