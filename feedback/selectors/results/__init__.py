"""Review results as the pages, the API and the Excel export read them — one reader for all three, so the
anonymity decisions are the same everywhere (modules by job: `shapes`, `rows` (a page of subjects, the
releases), `subject` (one subject's analysis), `rates` (response rates), `export`).

Only what a closed campaign released is shown (`feedback.models.ResultRelease`, decided once per subject by
`feedback.services.results.results_release`): a slice's numbers are computed from exactly the raters it
released, a refused slice says so and shows no number. An open campaign shows its response rate only.
"""
