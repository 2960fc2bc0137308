"""Event logs read into one normalised pandas frame for process mining (issue 12 §6).

Readers: `read_csv` and `read_excel` take a `ColumnMapping` (which header holds the case id, the activity, the
timestamp, …); `read_xes` reads IEEE 1849 XES, plain or gzip-compressed, as process-mining tools export it
(the BPI Challenge logs among them). Each returns the same frame, one row per (completed) event, sorted by
case and then by time (ties keep the file's order):

    case                  categorical: the case id as text
    activity              categorical: integer codes (`.cat.codes`) over the names (`.cat.categories`)
    timestamp             datetime64[ns, UTC]: when the event completed, as an instant
    offset_minutes        int16: the UTC offset the timestamp was written with (+08:00 → 480)
    start_timestamp       datetime64[ns, UTC], NaT where the log has no start for the event
    start_offset_minutes  Int16 (nullable): the offset the start was written with
    unit                  categorical, missing where the log names none (XES: `org:group` by default)
    resource              categorical, missing where the log names none (XES: `org:resource`)

Time zones: a timestamp keeps the zone it was written in — the instant in `timestamp`, the written offset in
`offset_minutes` (`written_timestamps` gives the text back) — so nothing is silently shifted, and durations
are differences of instants. A timestamp written without a zone is read in `naive_zone` (the tenant's zone;
UTC by default), its offset being that zone's offset at that instant.

Lifecycle (XES `lifecycle:transition`, or a mapped CSV column): a `start` is paired with the next `complete`
of the same activity in the same case, which gets it as `start_timestamp`; other transitions (schedule,
assign, suspend, …) and starts that no complete follows are not events of the frame, and are counted in
`frame.attrs["ignored"]` ({transition: count}; unmatched starts as "start").

Errors are all-or-nothing: every row is checked, and if any is wrong `EventLogError` is raised with the list
of `RowError(row, field, message)` — the row as the user sees it (a CSV or Excel row with the header as row
1, an XES line), 0 for the whole file; at most `max_errors` are listed, `total` counts them all. Missing
columns, empty case ids or activities, missing or unreadable timestamps and unreadable start timestamps are
errors; an empty unit or resource is not.
"""
