"""Page forms of the appraisal app, on the `collab.forms` base."""
