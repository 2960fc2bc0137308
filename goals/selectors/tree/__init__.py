"""Reads of the goal decomposition tree: the nested tree, the units × perspectives matrix and the trace.

A period's whole tree is loaded once (`load.load_tree`: one query for the goals with their unit, position and
KPI, plus the two of `goals.selectors.scores.period_scores` for progress) and every view is built from
it in Python: the number of queries never grows with the tree. Templates never recurse: `render.tree_items`
flattens the visible part of the tree into a list of open/node/close items that a template renders
with a plain loop, and only a bounded number of nodes is rendered at once (deeper branches load on
demand).

`nodes` (the in-memory tree), `load`, `render` (nested list, chart, table), `periods`, `matrix`, `trace`.
"""
