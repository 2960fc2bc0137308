"""Account pages under /t/<slug>/: members and the member's own notifications."""

from django.urls import path

from collab.views import accounts as views

urlpatterns = [
    path("members/", views.member_list, name="member-list"),
    path("members/new/", views.member_create, name="member-create"),
    path("members/invite/", views.member_invite, name="member-invite"),
    path("members/add-existing/", views.member_add_existing, name="member-add-existing"),
    path("members/<id:pk>/", views.member_detail, name="member-detail"),
    path("members/<id:pk>/deactivate/", views.member_deactivate, name="member-deactivate"),
    path("members/<id:pk>/reactivate/", views.member_reactivate, name="member-reactivate"),
    path("members/<id:pk>/resend-invitation/", views.member_invite_resend, name="member-invite-resend"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notifications-badge"),
    path("notifications/settings/", views.notification_preferences, name="notification-preferences"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/<id:pk>/read/", views.notification_read, name="notification-read"),
]
