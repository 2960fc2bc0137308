"""Review campaigns, by job: `setup` (drafts: header, subjects, rater rules, the mutual-review generator),
`launch` (rules → rater assignments, attributes frozen), `rating` (a rater's draft and the one submit),
`close` (by hand or at the deadline; results released, recompute queued, the next round opened) and
`reminders` (the daily nudges to raters with open assignments). Callers import from the module that does the
job."""
