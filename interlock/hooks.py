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

`review_campaigns`: (subject, status, deadline) — the launched review campaigns of the period whose ratings
  would feed `score_ratings` for that subject: status "open" (its results are released at close, so nothing
  counts yet) or "closed", deadline an aware datetime. Not an engine input: the score breakdown asks it,
  when no rating counted, to say why (no campaign, a campaign still open, or one closed with too few raters).
"""

from collab.hooks import Hook

score_ratings = Hook()
score_points = Hook()
review_campaigns = Hook()
