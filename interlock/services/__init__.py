"""Writes of the interlock area: scorecards (and scoring settings) and the period recompute."""
