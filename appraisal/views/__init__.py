"""Pages of the appraisal app, one module a subject."""
