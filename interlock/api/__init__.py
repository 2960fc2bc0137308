"""The interlock API: scorecards; scores with their jobs and the dashboard's matrix numbers; routed by
interlock/urls.py."""
