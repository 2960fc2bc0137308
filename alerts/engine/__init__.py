"""Pure computation for process monitoring (issue 12): the business calendar, anomaly detection on KPI series,
change points, static health thresholds and the threshold backtest.

numpy/pandas (and statsmodels, ruptures, holidays) in, plain data out: no ORM, no I/O, no display code.
Callers load series with `values_list`, pivot them with `anomaly.series_matrix`, call these functions and
store the plain results (`Verdicts.records()`)."""
