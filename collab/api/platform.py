"""Platform API: token, members and the organisation resources."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class ObtainTokenView(ObtainAuthToken):
    """POST username and password → {"token": …}; failures count towards the login lockout."""

    pass
