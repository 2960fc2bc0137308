"""Pages of the interlock area, one module per noun: scorecards, scores (and their jobs), dashboards."""
