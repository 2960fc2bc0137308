"""Reads of the audit log: filtered lists, filter choices, one event, a before/after diff, and the words
that show codes, ids and choices to a reader.

Every query here runs inside the request's tenant scope (the default manager fails closed), and
each function issues a fixed number of queries however many events there are. `events`: the filtered
list and its search; `vocabulary`: the words apps register and how codes and keys are looked up;
`words`: naming the objects and values in snapshots; `diff`: before/after rows and events in words.
"""
