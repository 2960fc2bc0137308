"""The goals API: the KPI library and strategy map (`library`), measurements, the goal tree; routed by
goals/urls.py."""
