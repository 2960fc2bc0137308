"""Reads of the goal decomposition tree: the nested tree, the units × perspectives matrix and the trace.

The tree page reads a branch at a time (`opening`: where a reader opens; `branches`: a page of a node's
children, the chain above a goal, search): each a query or two over the goals it shows, never the whole
period. Progress everywhere comes from the period's cached roll-up (`goals.selectors.rollup_cache`). The
matrix and the trace still load a period's whole tree (`load.load_tree`: one query for the goals) and
build from it in Python. Templates never recurse: `render.tree_items` flattens the visible part into a
list of open/node/close items that a template renders with a plain loop.

`nodes` (the in-memory tree), `load`, `branches`, `opening`, `render` (nested list, chart, table),
`periods`, `matrix`, `trace`.
"""
