"""Goal tree pages: the tree builder (nested list, chart and table), the units × perspectives matrix and
the trace of a KPI down to every unit and position that contributes.

HR admins build; managers, committee members and auditors read; an employee reads the part of the tree
that belongs to their unit (tree page only). Every page loads the period's tree once
(`goals.selectors.tree.load.load_tree`) and builds what it shows in Python, so the number of queries does not
grow with the tree. Builder forms are htmx fragments loaded into a side panel; without htmx they are
plain pages.

`common` (what the pages share), `page` (the tree page and its lazy branches), `builder` (one goal:
create, edit, move, delete), `whole_tree` (reweight, publish, copy), `matrix`, `trace`.
"""
