"""Pages of the appraisal app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from appraisal.api.appraisals import AppraisalViewSet
from appraisal.views import assessment
from collab.api import tenant_router

urlpatterns: list = [
    # assessment: the appraisal list and one appraisal's overview, self-assessment and manager assessment
    path("appraisal/", assessment.appraisal_list, name="appraisal-list"),
    path("appraisal/<id:pk>/", assessment.appraisal_detail, name="appraisal-detail"),
]

api_router = tenant_router()
api_router.register("appraisals", AppraisalViewSet, basename="api-appraisal")
