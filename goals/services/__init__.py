"""Every write of the goals app: typed, keyword-only `<noun>_<verb>` functions, atomic and audited."""
