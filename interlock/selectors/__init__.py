"""Reads of the interlock area, one module per job: the engine's inputs, scores, dashboards."""
