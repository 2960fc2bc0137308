"""Scorecard pages (动态互锁), the performance contract (绩效合约) and the tenant's scoring settings.

HR admins create, edit, publish and copy scorecards; managers, committee members and auditors read;
employees have no access. The line editor validates live through `scorecard_validate` (the service's own
line rules and weight summary, nothing written). A scorecard can start from the subject's goals, from the
lines the responsibility matrices imply (lead → own, others → shared) or from the previous period: the
proposal is merged into the editor unsaved for the HR admin to accept or adjust. Saves carry
`lock_version`; a stale save is refused naming who changed the scorecard and when. Pages run a fixed
number of queries.

`common`, `listing` (the list and a new scorecard), `editor` (the line editor and its live check),
`publishing` (publish, unpublish, copy a period's scorecards), `contract`, `settings`.
"""
