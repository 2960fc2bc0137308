"""Bonus and penalty points (协同加减分): `catalog` (items, settings, project leads), `proposals` (propose,
approve, reject), `evidence` (what a proposal's evidence may be, the proposer's attachment) and `ledger`
(entries, corrections, the recompute they ask for). Callers import from the module that does the job."""
