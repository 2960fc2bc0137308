"""What a demo tenant looks like, as plain data; the demo password and login names."""

from __future__ import annotations

import os
from dataclasses import dataclass

from collab.models import OrgUnit

# One shared password for every demo login, printed by seed_demo. It guards demo data only;
# set COLLAB_DEMO_PASSWORD to use another one.
DEMO_PASSWORD = os.environ.get("COLLAB_DEMO_PASSWORD", "collab-demo-2025")
CONSULTANT_USERNAME = "consultant"
BATCH_SIZE = 2000

Kind = OrgUnit.Kind




@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    kind: str
    parent: str | None
    # Positions of the unit as (title, job family, level); the first is the head's.
    positions: tuple[tuple[str, str, str], ...]
    staff: int  # employees besides the head


@dataclass(frozen=True)
class LoginPlan:
    username: str
    roles: tuple[str, ...]
    unit: str  # code of the unit where the login's employee works
    seat: int  # 0: the unit's head; n: its n-th staff member


@dataclass(frozen=True)
class TenantPlan:
    slug: str
    name: str
    locale: str
    employee_prefix: str
    names: str  # "zh" or "pinyin"
    units: tuple[UnitPlan, ...]
    logins: tuple[LoginPlan, ...]
    consultant: LoginPlan
