"""Extension points of the responsibility pages, filled by upper areas from their `AppConfig.ready()`.

`matrix_sections`: sections below a matrix's page (interlock: the scorecard lines the matrix implies).
Each is registered under its template's name; its provider takes the matrix and returns what that
template reads, merged into the page's context.
"""

from collab.hooks import Hook

matrix_sections = Hook()
