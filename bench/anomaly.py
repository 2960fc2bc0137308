"""Anomaly checks over many short monthly series: the vectorised engine against per-series loops, same data,
same run.

Builds --series series of --points monthly points (default 10,000 × 36) in memory — no database: the engine is
pure — each with its own level, noise (2–8 % of the level), a slight trend, and for half of them a yearly
profile (±10–30 %); each series is higher_better or lower_better at random. In --rate of them (default 10 %)
an anomaly is planted in the bad direction: half spikes on the last point (6–10 σ), half level shifts that
started on one of the last three points (5–8 σ); another tenth has an old spike (6–10 σ, either way) somewhere
in months 13–35, which the check must shrug off. Then it times the nightly check of the last point
(`alerts.engine.anomaly.check_latest`, window 12, threshold 3.5, at least 8 points; season 12 for the series
with a yearly profile and none for the others, as each KPI's rule would say):

  (a) the vectorised check of every series at once — series per second (target ≥ 100,000/s);
  (a') the same engine over every point of every series' history (what a page's band and the backtest read);
  (b) the same rule written as a per-series Python loop (numpy median per series), on --loop-series series,
      scaled to all: its verdicts must equal (a)'s, or the run fails;
  (c) a per-series loop that fits a model per series, as a straightforward implementation would: Holt-Winters
      (statsmodels ExponentialSmoothing, additive season of 12) fitted to the first 35 points, the last one
      judged against its one-step forecast with a band of 3.5 robust σ of the in-sample residuals, on
      --model-series series (it is slow: ~0.1–0.3 s a series), scaled — target (c)/(a) ≥ 100×;
  (d) the nightly change-point pass (`changepoints.level_shifts`, ruptures) over every series, for its cost.

Quality of (a) on the planted anomalies: recall (target ≥ 0.8) and flags per planted anomaly (target ≤ 2);
also with season 12 for every series (a tenant that marks every KPI seasonal), and for (c) on its sample.
Best and median of --repeat runs for the vectorised timings.

    python -m bench anomaly [--series 10000] [--points 36] [--rate 0.1] [--loop-series 1000]
                            [--model-series 200] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np

from alerts.engine.anomaly import (
    DEFAULT_MIN_HISTORY,
    DEFAULT_RELATIVE_FLOOR,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    HIGHER_BETTER,
    LOWER_BETTER,
    MAD_TO_SIGMA,
    ODD_REFERENCE_Z,
    check_latest,
    evaluate,
)

DEFAULTS = {"series": 10_000, "points": 36, "loop_series": 1000, "model_series": 100, "repeat": 7, "seed": 7}
SEASON = 12
CHECK = {"window": DEFAULT_WINDOW, "min_history": DEFAULT_MIN_HISTORY}


@dataclass(frozen=True)
class Planted:
    matrix: np.ndarray
    directions: np.ndarray  # one name per series
    seasons: np.ndarray  # 12 for the series with a yearly profile, 0 for the others
    planted: np.ndarray  # bool per series: an anomaly on its last point
    kind: np.ndarray  # "spike", "shift" or ""


def generate(series: int, points: int, rate: float, seed: int) -> Planted:
    """Monthly series with anomalies planted on the last point of ``rate`` of them (see the module)."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(50, 500, series)[:, None]
    sigma = level * rng.uniform(0.02, 0.08, (series, 1))
    months = np.arange(points)
    trend = rng.normal(0, 0.002, (series, 1)) * level * months
    profile = rng.uniform(-1, 1, (series, SEASON)) * rng.uniform(0.1, 0.3, (series, 1))
    flat = rng.random(series) < 0.5
    profile[flat] = 0
    matrix = level * (1 + profile[:, months % SEASON]) + trend + rng.normal(0, 1, (series, points)) * sigma
    directions = np.where(rng.random(series) < 0.5, HIGHER_BETTER, LOWER_BETTER)
    bad_sign = np.where(directions == HIGHER_BETTER, -1.0, 1.0)[:, None]

    chosen = rng.permutation(series)[: int(round(rate * series))]
    spikes, shifts = chosen[: chosen.size // 2], chosen[chosen.size // 2 :]
    matrix[spikes, -1] += (bad_sign[spikes, 0] * rng.uniform(6, 10, spikes.size)) * sigma[spikes, 0]
    starts = points - rng.integers(1, 4, shifts.size)
    after_start = months[None, :] >= starts[:, None]
    matrix[shifts] += after_start * (bad_sign[shifts] * rng.uniform(5, 8, (shifts.size, 1)) * sigma[shifts])
    # Old spikes in the history of another tenth (either direction, not judged: the check reads the last
    # point) — what the window's median and the seasonal reference must shrug off.
    old = rng.permutation(series)[: series // 10]
    months_back = rng.integers(12, points - 1, old.size)
    matrix[old, months_back] += (
        rng.choice([-1.0, 1.0], old.size) * rng.uniform(6, 10, old.size) * sigma[old, 0]
    )
    planted = np.zeros(series, dtype=bool)
    planted[chosen] = True
    kind = np.full(series, "", dtype=object)
    kind[spikes], kind[shifts] = "spike", "shift"
    return Planted(matrix, directions, np.where(flat, 0, SEASON), planted, kind)


def loop_check(row: np.ndarray, direction: str, season: int) -> tuple[bool, float]:
    """(b) The engine's rule for one series' last point, in plain Python and numpy per series."""
    t = row.size - 1
    window, min_history = CHECK["window"], CHECK["min_history"]
    history = row[max(t - window, 0) : t]
    history = history[~np.isnan(history)]
    if history.size < min_history or np.isnan(row[t]):
        return False, float("nan")
    expected = float(np.median(history))
    spread = float(np.median(np.abs(history - expected)))
    if season and t >= 2 * season and not np.isnan(row[t - season]):
        steps = np.array([row[j] - row[j - season] for j in range(max(t - window, season), t)])
        steps = steps[~np.isnan(steps)]
        if steps.size >= min_history:
            step = float(np.median(steps))
            expected, spread = row[t - season] + step, float(np.median(np.abs(steps - step)))
            step_scale = max(MAD_TO_SIGMA * spread, DEFAULT_RELATIVE_FLOOR * abs(row[t - season]), 1e-12)
            reference_step = row[t - season] - row[t - 2 * season]
            from_two_back = row[t - 2 * season] + 2 * step
            if abs(reference_step - step) > ODD_REFERENCE_Z * step_scale:
                if abs(row[t] - from_two_back) < abs(row[t] - expected):
                    expected = from_two_back
            elif not np.isnan(from_two_back):
                expected, spread = (expected + from_two_back) / 2, np.sqrt(0.75) * spread
    scale = max(MAD_TO_SIGMA * spread, DEFAULT_RELATIVE_FLOOR * abs(expected), 1e-12)
    z = (row[t] - expected) / scale
    bad = -z if direction == HIGHER_BETTER else z
    return bool(bad > DEFAULT_THRESHOLD), float(expected)


def model_check(row: np.ndarray, direction: str) -> bool:
    """(c) A model fitted per series: Holt-Winters on the history, the last point against its forecast."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    history = row[:-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on short series
        fit = ExponentialSmoothing(history, seasonal="add", seasonal_periods=SEASON).fit()
    residuals = history - np.asarray(fit.fittedvalues)
    scale = max(MAD_TO_SIGMA * float(np.median(np.abs(residuals - np.median(residuals)))), 1e-12)
    z = (row[-1] - float(fit.forecast(1)[0])) / scale
    bad = -z if direction == HIGHER_BETTER else z
    return bool(bad > DEFAULT_THRESHOLD)


def quality(flagged: np.ndarray, planted: np.ndarray) -> tuple[float, float]:
    """Recall on the planted anomalies, and flags per planted anomaly."""
    return (flagged & planted).sum() / max(planted.sum(), 1), flagged.sum() / max(planted.sum(), 1)


def _timed(function, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def run(
    *,
    series: int,
    points: int,
    rate: float,
    loop_series: int,
    model_series: int,
    repeat: int,
    seed: int,
    out=sys.stdout,
) -> int:
    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    data = generate(series, points, rate, seed)
    planted = int(data.planted.sum())
    say(
        f"built {series:,} series × {points} monthly points; {planted:,} planted anomalies "
        f"({(data.kind == 'spike').sum():,} spikes, {(data.kind == 'shift').sum():,} level shifts), "
        f"{(data.directions == HIGHER_BETTER).sum():,} higher_better"
    )

    check = {"direction": data.directions, "season": data.seasons, **CHECK}
    best, median, verdicts = _timed(lambda: check_latest(data.matrix, **check), repeat)
    say(
        f"(a) vectorised check of the last point: best {best * 1e3:.1f} ms, median {median * 1e3:.1f} ms of "
        f"{repeat} → {series / best:,.0f} series/s best, {series / median:,.0f} median (target ≥ 100,000/s)"
    )
    recall, per_planted = quality(verdicts.flagged, data.planted)
    spikes, shifts = (quality(verdicts.flagged, data.kind == kind)[0] for kind in ("spike", "shift"))
    by_method = np.bincount(verdicts.method, minlength=3)
    say(
        f"    recall {recall:.3f} (target ≥ 0.8: spikes {spikes:.3f}, shifts {shifts:.3f}); "
        f"{verdicts.flagged.sum():,} flags = "
        f"{per_planted:.2f} per planted anomaly (target ≤ 2); false flags on "
        f"{(verdicts.flagged & ~data.planted).sum() / max((~data.planted).sum(), 1):.2%} of clean series; "
        f"methods: {by_method[1]:,} robust z, {by_method[2]:,} seasonal differences"
    )
    all_seasonal = check_latest(data.matrix, **{**check, "season": SEASON}).flagged
    recall_seasonal, per_planted_seasonal = quality(all_seasonal, data.planted)
    say(
        f"    with season 12 for every series: recall {recall_seasonal:.3f}, "
        f"{per_planted_seasonal:.2f} flags per planted anomaly"
    )
    history_best, history_median, _ = _timed(lambda: evaluate(data.matrix, **check), max(1, repeat // 2))
    say(
        f"(a') every point of every history ({series * points:,} verdicts): "
        f"best {history_best * 1e3:.1f} ms, "
        f"median {history_median * 1e3:.1f} ms"
    )

    order = np.random.default_rng(seed + 1).permutation(series)
    sample = order[: min(loop_series, series)]
    scale = series / sample.size
    start = time.perf_counter()
    looped = [loop_check(data.matrix[i], data.directions[i], data.seasons[i]) for i in sample]
    loop_seconds = time.perf_counter() - start
    loop_flags = np.array([flag for flag, _ in looped])
    loop_expected = np.array([expected for _, expected in looped])
    mismatched = np.flatnonzero(
        (loop_flags != verdicts.flagged[sample])
        | ~np.isclose(loop_expected, verdicts.expected[sample], rtol=1e-9, equal_nan=True)
    )
    say(
        f"(b) per-series Python loop of the same rule: {loop_seconds:.2f} s on {sample.size:,} series, "
        f"scaled "
        f"×{scale:.1f} → {loop_seconds * scale:.2f} s ({loop_seconds / sample.size * 1e6:.0f} µs a series)"
    )

    models = order[: min(model_series, series)]
    start = time.perf_counter()
    modelled = np.array([model_check(data.matrix[i], data.directions[i]) for i in models])
    model_seconds = time.perf_counter() - start
    model_scale = series / models.size
    model_recall, model_per_planted = quality(modelled, data.planted[models])
    say(
        f"(c) per-series loop with a model fit (Holt-Winters + MAD band): {model_seconds:.2f} s on "
        f"{models.size:,} series, scaled ×{model_scale:.1f} → {model_seconds * model_scale:.1f} s "
        f"({model_seconds / models.size * 1e3:.1f} ms a series); on its sample recall {model_recall:.3f} "
        f"({data.planted[models].sum()} planted), {model_per_planted:.2f} flags per planted anomaly"
    )

    start = time.perf_counter()
    from alerts.engine.changepoints import level_shifts

    shifts = level_shifts(data.matrix, direction=data.directions, season=data.seasons)
    say(
        f"(d) nightly change-point pass over all {series:,} series: {time.perf_counter() - start:.2f} s, "
        f"{len(shifts):,} level shifts ({sum(s.worse for s in shifts):,} for the worse)"
    )

    if mismatched.size:
        say(
            f"MISMATCH: (a) and (b) disagree on {mismatched.size} series, "
            f"e.g. {sample[mismatched[:5]].tolist()}"
        )
        return 1
    say(f"results agree: (a) and (b) give the same verdict and expected value on all {sample.size:,} series")
    say(
        f"ratio (c)/(a): {model_seconds * model_scale / best:,.0f}× best, "
        f"{model_seconds * model_scale / median:,.0f}× median "
        f"(target ≥ 100×); (b)/(a): {loop_seconds * scale / best:,.0f}× best, "
        f"{loop_seconds * scale / median:,.0f}× median"
    )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench anomaly", description=__doc__.splitlines()[0])
    for name, value in DEFAULTS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=value)
    parser.add_argument("--rate", type=float, default=0.1)
    options = parser.parse_args(argv)
    return run(**vars(options))
