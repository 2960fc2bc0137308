"""Pure scoring of KPIs and goal trees (DESIGN.md §6): numpy/pandas in, plain data out.

No ORM and no I/O here: selectors load rows with `values_list`, call these functions and hand the
results to pages and the API. Everything is vectorised over a whole period at once.

Rules, with the decisions this module makes where §6 is silent:

KPI score, from target T, actual A and cap c (default 1.2):
    higher_better: r = A / T          lower_better: r = T / A, and A = 0 gives r = c
    score = 100 · min(max(r, 0), c)
No data (NaN inside this module, ``None`` in every plain result; never a silent 0) when:
    - there is no measurement, no target or no actual (or a non-finite one);
    - higher_better with T = 0: the ratio is undefined, whatever the actual;
    - a negative target (either direction): the ratio of §6 would invert (a better actual would score
      lower), so the KPI has no data rather than a misleading score.
Zero-target decisions for lower_better (targets such as "zero accidents"):
    - T = 0, A = 0: the target is met exactly; A = 0 gives r = c, so the score is 100 · c.
    - T = 0, A > 0: r = 0 / A = 0, so the score is 0.
A negative actual: higher_better gives r < 0, clamped to 0; lower_better treats it like A = 0 (r = c),
so a lower actual never scores lower. With these rules a score is monotone in the actual.
A missing or non-positive cap falls back to the default 1.2.

Goal roll-up over one period's tree:
    a leaf's progress is its KPI score; a parent's is Σ w·p / Σ w over its children that have data
    (renormalised: children without data drop out of numerator and denominator).
    A parent none of whose children has data (or whose children with data all weigh 0) has no data.
    A parent's own KPI score is not mixed into its progress; pages show it beside the rolled-up value.
Weights must be finite and ≥ 0. A parent index outside the tree makes the node a root.

Colour bands (the same keys in pages and the API, see `band`/`bands`):
    green  score ≥ 100   (target met)
    amber  80 ≤ score < 100
    red    score < 80
    none   no data

Period aggregation (KPI rule sum | average | last): quarter values come from the months of the
quarter and year values from the quarters of the year, wherever no direct value exists. Target and
actual are aggregated independently over the periods that have a value (a sum over two reported
months of three is a quarter-to-date value); a direct value wins field by field.

`common` (directions, bands, aggregation rules and array helpers), `scores` (KPI scores and bands),
`rollup` (progress over a goal tree), `periods` (period values from months and quarters).
"""
