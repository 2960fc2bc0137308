"""Pages of the appraisal app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from collab.api import tenant_router

urlpatterns: list = []

api_router = tenant_router()
