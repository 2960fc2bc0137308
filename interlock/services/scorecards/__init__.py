"""Writes of scorecards and their lines, publishing, copying, and the tenant's scoring settings.

Keyword-only, atomic, audited; invalid input raises `ValidationError` keyed by field (line errors as
"lines-<index>-<field>", whole-scorecard errors as "lines"), stale saves raise `StaleEditError` naming who
changed the scorecard. A closed period is read-only: every write here refuses it.

Rules:
- a scorecard has exactly one subject (an org unit or a position of the tenant) and one per period;
- ρ (review weight) is 0–1 with at most three decimals;
- own and shared lines weigh 0–100 (two decimals); reference lines weigh 0 and need a threshold; only
  reference lines have a threshold; a KPI appears once per scorecard (but in any number of scorecards);
- publishing needs own + shared weights of exactly 100; a collaborative share (Σ shared weights) under the
  tenant's minimum is a warning (`collaborative_warning`), never a refusal. A published scorecard stays
  publishable through every later edit.

`lines` (parsing lines and ρ, the weights rule), `editing` (what every edit shares: the subject check,
locking, snapshots, the save tail), `cards` (create, update, lines, publish, unpublish, save), `copying`
(a period's scorecards into another), `settings` (the tenant's scoring settings).
"""
