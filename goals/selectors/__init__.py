"""Reads of the goals app that pages and the API share."""
