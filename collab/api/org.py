"""API viewsets; registered on collab.api.router."""
