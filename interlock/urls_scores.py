"""Score and job pages (included under /t/<slug>/ by collab/urls.py)."""

from django.urls import path

from interlock import views_scores as views

urlpatterns = [
    path("interlock/scores/", views.score_list, name="score-list"),
    path("interlock/scores/recompute/", views.score_recompute, name="score-recompute"),
    path("interlock/scores/<id:pk>/", views.score_detail, name="score-detail"),
    path("interlock/jobs/<id:pk>/", views.job_detail, name="job-detail"),
]
