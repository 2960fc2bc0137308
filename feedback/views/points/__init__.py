"""Pages of bonus and penalty points (协同加减分): `proposals` (propose, decide, evidence), `catalog` (items,
settings, project leads) and `ledger` (my points, the ledger and its corrections, yearly totals)."""
