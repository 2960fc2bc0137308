"""Pages of the feedback app, a module per subject."""
