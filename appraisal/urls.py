"""Pages of the appraisal app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from appraisal.api.answers import AppraisalAnswerViewSet
from appraisal.api.appeals import AppealViewSet
from appraisal.api.calibrations import CalibrationViewSet
from appraisal.views import calibration as calibration_views
from appraisal.views import results as result_views
from collab.api import tenant_router

urlpatterns: list = [
    # calibration-release
    path("appraisal/calibrations/", calibration_views.calibration_list, name="calibration-list"),
    path("appraisal/calibrations/new/", calibration_views.calibration_create, name="calibration-create"),
    path("appraisal/calibrations/<id:pk>/", calibration_views.calibration_detail, name="calibration-detail"),
    path("appraisal/<id:pk>/result/", result_views.appraisal_result, name="appraisal-result"),
    path("appraisal/appeals/", result_views.appeal_list, name="appeal-list"),
    path("appraisal/cycles/<id:pk>/release/", result_views.appraisal_release, name="appraisal-release"),
    path("appraisal/cycles/<id:pk>/export/", result_views.appraisal_export, name="appraisal-export"),
]

api_router = tenant_router()
# calibration-release (`appraisals` hosts only the answers here: the lead mixes them into assessment's)
api_router.register(r"calibrations", CalibrationViewSet, basename="api-calibration")
api_router.register(r"appeals", AppealViewSet, basename="api-appeal")
api_router.register(r"appraisals", AppraisalAnswerViewSet, basename="api-appraisal")
