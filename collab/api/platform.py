"""Platform API: the token endpoint.

`POST /api/v1/auth/token/` with username and password answers `{"token": …}`. Authentication goes
through Django's `authenticate` with the Django HttpRequest (not DRF's wrapper), so django-axes counts
each failure and, past the limit, its middleware answers with the JSON lock-out message. Inactive
accounts are refused like wrong passwords; an account still on its temporary password gets 403.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from collab.authentication import PasswordChangeRequired
from collab.selectors.platform import password_change_required


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)

    def validate(self, attrs):
        request = self.context["request"]
        # django-axes reads the address and flags a lock-out on the HttpRequest its middleware sees.
        http_request = getattr(request, "_request", request)
        user = authenticate(request=http_request, username=attrs["username"], password=attrs["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with the given user name and password.")]},
                code="authorization",
            )
        attrs["user"] = user
        return attrs


class ObtainTokenView(ObtainAuthToken):
    """POST username and password → {"token": …}; failures count towards the login lockout."""

    authentication_classes = ()
    permission_classes = ()
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", fields={"token": serializers.CharField()}),
            429: OpenApiResponse(
                inline_serializer("LockedOut", fields={"detail": serializers.CharField(),
                                                       "code": serializers.CharField()}),
                "Too many failed log-ins from this address or for this user: locked out for a while.",
            ),
            403: OpenApiResponse(
                inline_serializer("PasswordChangeRequired", fields={"detail": serializers.CharField(),
                                                                    "code": serializers.CharField()}),
                "The account still has the temporary password it was created with: choose a new one on the "
                "web first.",
            ),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if password_change_required(user):
            raise PasswordChangeRequired()
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
