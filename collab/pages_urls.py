"""Collab's own pages under /t/<slug>/ (home, people and org, the business calendar, members and
notifications, audit log).

The platform's counterpart of an app's `urls.py`: `collab/urls.py` is the root URL configuration (the one
platform module that knows the apps), so the platform's pages live here and the root includes them first.
"""

from django.urls import path

from collab.views import accounts, audit, calendar, directory, platform
from collab.views.org import employees, imports, periods, positions, units

urlpatterns = [
    # home
    path("", platform.tenant_home, name="tenant-home"),
    # people and the organisation
    path("people/", directory.directory, name="directory"),
    path("org/", units.org_tree, name="org-tree"),
    path("org/units/new/", units.org_unit_create, name="org-unit-create"),
    path("org/units/<id:pk>/children/", units.org_tree_children, name="org-tree-children"),
    path("org/units/<id:pk>/edit/", units.org_unit_edit, name="org-unit-edit"),
    path("org/units/<id:pk>/move/", units.org_unit_move, name="org-unit-move"),
    path("org/units/<id:pk>/delete/", units.org_unit_delete, name="org-unit-delete"),
    path("org/positions/", positions.position_list, name="position-list"),
    path("org/positions/new/", positions.position_create, name="position-create"),
    path("org/positions/<id:pk>/edit/", positions.position_edit, name="position-edit"),
    path("org/positions/<id:pk>/delete/", positions.position_delete, name="position-delete"),
    path("org/employees/", employees.employee_list, name="employee-list"),
    path("org/employees/new/", employees.employee_create, name="employee-create"),
    path(
        "org/employees/position-options/",
        employees.employee_position_options,
        name="employee-position-options",
    ),
    path("org/employees/<id:pk>/edit/", employees.employee_edit, name="employee-edit"),
    path("org/employees/<id:pk>/delete/", employees.employee_delete, name="employee-delete"),
    path("org/periods/", periods.period_list, name="period-list"),
    path("org/periods/new/", periods.period_create, name="period-create"),
    path("org/periods/<id:pk>/edit/", periods.period_edit, name="period-edit"),
    path("org/periods/<id:pk>/advance/", periods.period_advance, name="period-advance"),
    path("org/periods/<id:pk>/delete/", periods.period_delete, name="period-delete"),
    path("org/import/", imports.org_import, name="org-import"),
    # the business calendar
    path("calendar/", calendar.business_calendar, name="business-calendar"),
    path("calendar/days/new/", calendar.calendar_day_create, name="calendar-day-create"),
    path("calendar/days/<id:pk>/edit/", calendar.calendar_day_edit, name="calendar-day-edit"),
    path("calendar/days/<id:pk>/delete/", calendar.calendar_day_delete, name="calendar-day-delete"),
    # members and the member's own notifications
    path("members/", accounts.member_list, name="member-list"),
    path("members/new/", accounts.member_create, name="member-create"),
    path("members/invite/", accounts.member_invite, name="member-invite"),
    path("members/add-existing/", accounts.member_add_existing, name="member-add-existing"),
    path("members/<id:pk>/", accounts.member_detail, name="member-detail"),
    path("members/<id:pk>/deactivate/", accounts.member_deactivate, name="member-deactivate"),
    path("members/<id:pk>/reactivate/", accounts.member_reactivate, name="member-reactivate"),
    path("members/<id:pk>/resend-invitation/", accounts.member_invite_resend, name="member-invite-resend"),
    path("notifications/", accounts.notification_list, name="notifications"),
    path("notifications/badge/", accounts.notification_badge, name="notifications-badge"),
    path("notifications/settings/", accounts.notification_preferences, name="notification-preferences"),
    path("notifications/read-all/", accounts.notification_read_all, name="notifications-read-all"),
    path("notifications/<id:pk>/read/", accounts.notification_read, name="notification-read"),
    # the audit log
    path("audit/", audit.audit_log, name="audit-log"),
    path("audit/export/", audit.audit_export, name="audit-export"),
    path("audit/<id:pk>/", audit.audit_event_detail, name="audit-event-detail"),
]
