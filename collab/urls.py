from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from alerts import urls as alerts_urls
from appraisal import urls as appraisal_urls
from collab import api as collab_api
from collab.api.platform import ObtainTokenView
from collab.pages import IdConverter  # noqa: F401  (registers the <id:…> converter)
from collab.views import accounts as account_views
from collab.views import passwords as password_views
from collab.views import platform as views
from feedback import urls as feedback_urls
from goals import urls as goals_urls
from interlock import urls as interlock_urls
from responsibility import urls as responsibility_urls

# Every app contributes its pages under /t/<slug>/ and its API resources under /api/v1/t/<slug>/ (its own
# router), both listed here: the root configuration is the one platform module that knows the apps.
tenant_pages = [
    path("", include("collab.pages_urls")),
    path("", include("goals.urls")),
    path("", include("responsibility.urls")),
    path("", include("interlock.urls")),
    path("", include("feedback.urls")),
    path("", include("alerts.urls")),
    path("", include("appraisal.urls")),
]
api_routers = [
    collab_api.router,
    goals_urls.api_router,
    responsibility_urls.api_router,
    interlock_urls.api_router,
    feedback_urls.api_router,
    alerts_urls.api_router,
    appraisal_urls.api_router,
]

urlpatterns = [
    path("", views.root, name="root"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", password_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        password_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/complete/",
        password_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/reset/<str:uidb64>/<str:token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/tenants/", views.post_login, name="post-login"),
    path("accounts/invite/<str:uidb64>/<str:token>/", account_views.invite_accept, name="invite-accept"),
    path(
        "accounts/invitation/<str:token>/", account_views.membership_invitation, name="membership-invitation"
    ),
    path("language/", views.set_language, name="set-language"),
    path("t/<slug:tenant_slug>/", include(tenant_pages)),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/t/<slug:tenant_slug>/", include([url for router in api_routers for url in router.urls])),
]

# Under /api/ an unknown route or an id that cannot be one answers JSON, like every other API error.
handler404 = "collab.routing.errors.not_found"
