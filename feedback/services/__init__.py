"""Every write of the feedback app: keyword-only `<noun>_<verb>(*, actor, …)`, atomic, audited."""
