"""The alert rule state machine, pure (issue 12 §4): previous memory + this evaluation's outcome + the rule's
parameters → the new memory and what to do (open an alert, resolve it).

- a **breach** or an **ok** joins the ring of the last M results. Not firing: N breaches in the ring fire
  (``open``), a breach short of N is *pending*, else *normal*. Firing: ``recovery`` ok results in a row
  resolve (``resolve``; the ring is cleared so a new alert needs N fresh breaches), a breach keeps it firing.
- **no data** follows the rule: ``keep`` (the ring and the alert stay; the state shows *no_data*), ``alert``
  (counts as a breach) or ``resolve`` (counts as ok).
- **too short** (no verdict yet: the anomaly engine wants more history) changes nothing.
- an **error** counts; ``error_limit`` errors in a row make the rule *broken* (the check skips it until
  someone resets it); any other outcome clears the count. An open alert stays open through errors.

Notifications are not decided here: ``may_notify`` is the cool-down, the service adds silences.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

NORMAL, PENDING, FIRING, RESOLVED, NO_DATA, ERROR, BROKEN = (
    "normal", "pending", "firing", "resolved", "no_data", "error", "broken",
)  # fmt: skip
BREACH, OK, NO_VALUE, TOO_SHORT, FAILED = "breach", "ok", "no_data", "too_short", "error"
KEEP, AS_BREACH, AS_OK = "keep", "alert", "resolve"


@dataclass(frozen=True)
class Params:
    breaches_needed: int = 1  # N
    breach_window: int = 1  # M
    recovery: int = 1
    no_data: str = KEEP
    error_limit: int = 3


@dataclass(frozen=True)
class Memory:
    state: str = NORMAL
    recent: tuple[bool, ...] = ()
    firing: bool = False
    normal_streak: int = 0
    consecutive_errors: int = 0


@dataclass(frozen=True)
class Step:
    memory: Memory
    open: bool = False
    resolve: bool = False
    actions: tuple[str, ...] = field(default=())


def transition(memory: Memory, outcome: str, params: Params) -> Step:
    """The next memory after one evaluation, and whether an alert opens or resolves."""
    if memory.state == BROKEN:
        return Step(memory)
    if outcome == FAILED:
        errors = memory.consecutive_errors + 1
        state = BROKEN if errors >= params.error_limit else ERROR
        return Step(replace(memory, state=state, consecutive_errors=errors))
    memory = replace(memory, consecutive_errors=0)
    if outcome == TOO_SHORT:
        return Step(replace(memory, state=_settled(memory)))
    if outcome == NO_VALUE:
        if params.no_data == KEEP:
            return Step(replace(memory, state=NO_DATA))
        outcome = BREACH if params.no_data == AS_BREACH else OK
    if outcome not in (BREACH, OK):
        raise ValueError(f"unknown outcome {outcome!r}")
    breach = outcome == BREACH
    recent = (*memory.recent, breach)[-params.breach_window :]
    streak = 0 if breach else memory.normal_streak + 1
    if memory.firing:
        if streak >= params.recovery:
            done = Memory(state=RESOLVED, recent=(), firing=False, normal_streak=streak)
            return Step(done, resolve=True, actions=("resolve",))
        return Step(Memory(state=FIRING, recent=recent, firing=True, normal_streak=streak))
    if sum(recent) >= params.breaches_needed:
        return Step(Memory(state=FIRING, recent=recent, firing=True, normal_streak=0), open=True,
                    actions=("open",))  # fmt: skip
    return Step(Memory(state=PENDING if breach else NORMAL, recent=recent, normal_streak=streak))


def _settled(memory: Memory) -> str:
    """The state shown when an evaluation says nothing new."""
    if memory.firing:
        return FIRING
    if memory.state in (PENDING, FIRING, RESOLVED, NORMAL):
        return memory.state
    return NORMAL


def reset(memory: Memory) -> Memory:
    """A broken rule made whole again: errors forgotten, the ring cleared, an open alert still open."""
    return Memory(state=FIRING if memory.firing else NORMAL, firing=memory.firing)


def may_notify(last_notified_at: dt.datetime | None, now: dt.datetime, cooldown_minutes: int) -> bool:
    """Whether a rule may notify of a new firing now: never notified, or the cool-down has passed."""
    return last_notified_at is None or now - last_notified_at >= dt.timedelta(minutes=cooldown_minutes)
