"""Pure computation for process monitoring (issue 12): anomaly detection on KPI series (daily series on the
business calendar, `collab.calendar.engine`), change points, static health thresholds and the threshold
backtest; event logs and process mining.

numpy/pandas (and statsmodels, ruptures, holidays; lxml for XES) in, plain data out: no ORM, no display code.
Callers load series with `values_list`, pivot them with `anomaly.series_matrix`, call these functions and
store the plain results (`Verdicts.records()`). The one I/O is reading an uploaded event log:
`eventlog.read_csv` / `read_excel` / `read_xes` turn a file into the normalised events frame that `mining`
analyses (directly-follows graph, variants, rework, hand-overs, service and waiting time, conformance)."""
