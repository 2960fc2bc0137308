"""Process mining over a normalised event log (`alerts.engine.eventlog`'s frame), vectorised in pandas/numpy.

Every function takes the events frame (any row order: it is put in case and time order, stably, unless it
already is) and returns plain frames or dataclasses of frames; times are seconds (float), computed on UTC
instants, so a log written in several time zones measures correctly. Nothing here draws or stores.

Definitions used throughout:

- **directly follows**: b directly follows a when b is the next event after a in the same case;
- **gap** (the time on an edge or hand-over, the waiting time before an event): from a's completion to b's
  start when b has a start timestamp, else to b's completion; never below 0 (a b that started before a
  completed waited for nothing);
- **p90**: the 90th percentile with linear interpolation between the closest ranks (numpy's default);
- **rework**: an activity done again in a case (its second and later executions); a **repeat** when the
  same resource did it as the previous time, a **redo** when another resource did; `unattributed` when
  either execution names no resource;
- **hand-over**: consecutive events of a case done by two different units (both named);
- **service time**: completion − start of an event that has a start; **waiting time**: the gap before it.
"""
