from django.urls import path

from collab.views.platform import not_built

urlpatterns = [
    path("members/", not_built, name="member-list"),
    path("notifications/", not_built, name="notifications"),
    path("notifications/badge/", not_built, name="notifications-badge"),
    path("notifications/settings/", not_built, name="notification-preferences"),
]
