"""Forms of the feedback pages, on the `collab.forms` base: a module a subject (import from it)."""
