"""Extension points of the feedback pages.

`rating_sections`: sections shown on the rating form above the scores — the place for the rated subject's
recent collaboration events with the rater's side (`feedback.selectors.events.rating_events`).
Each is registered under its template's name; its provider takes the rater's assignment and returns what
that template reads (a template that finds nothing shows nothing).
"""

from collab.hooks import Hook

rating_sections = Hook()
