"""Extension points of the score engine's inputs, filled by upper areas from their `AppConfig.ready()`.

The engine reads internal-customer ratings and approved bonus/penalty points, whose models live above
interlock (feedback). Each provider is called as `provider(period, units=…, positions=…)` with the
period being scored and the ids of the scorecards' subjects (frozensets of unit and position ids), and
returns rows for those subjects only:

`score_ratings`: (subject, rater, value) — subject an `interlock.models.subject_key` ("unit:7"), rater
  any hashable that is the same for the same person (a pseudonym: the engine only counts distinct raters),
  value a rating's mean on the 1–5 scale, from released results only;
`score_points`: (subject, points) — approved points of the period (the ledger's sum per subject is fine).

A provider must not leak: it returns nothing a reader of the scores may not learn (the engine applies k).
"""

from collab.hooks import Hook

score_ratings = Hook()
score_points = Hook()
