"""Members API: `/api/v1/t/<slug>/members/` (router basename `api-member`).

The basename is not plain `member`: the router would then name its routes `member-list`,
`member-detail`, … — the names of the member pages.

HR admins and auditors list and read members (accounts, e-mails, roles), as on the member pages; every
member finds colleagues by name and unit in `directory/` instead. HR admins add members (mode create,
invite or existing), change their roles and employee link, and deactivate or reactivate them — the same
services and rules as the pages (e.g. nobody deactivates or demotes themselves).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.api import router
from collab.models import Employee, Membership, Role
from collab.routing.fields import StrictWriteMixin, TenantRelatedField
from collab.routing.viewsets import TenantViewSet
from collab.selectors import platform as selectors
from collab.services.accounts.adding import (
    INVITATION_SENT,
    INVITE_SENT,
    member_add_existing,
    member_create,
    member_invite,
    member_invite_resend,
)
from collab.services.accounts.changing import member_deactivate, member_reactivate, member_update


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    employee = serializers.IntegerField(source="employee_pk", read_only=True, allow_null=True)
    invited = serializers.SerializerMethodField(help_text="True until an invited member sets a password.")

    class Meta:
        model = Membership
        fields = [
            "id", "user", "username", "first_name", "last_name", "email", "roles", "is_active",
            "employee", "invited", "created_at", "deactivated_at",
        ]
        read_only_fields = fields

    def get_invited(self, membership) -> bool:
        return not membership.user.has_usable_password()


def _roles_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        min_length=1,
        max_length=len(Role.values),
        **kwargs,
    )


class MemberCreateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = MemberSerializer

    MODES = {"create": ("username", "email", "password"), "invite": ("email",), "existing": ("identifier",)}

    mode = serializers.ChoiceField(
        choices=list(MODES), default="create",
        help_text="create: a new account with a password (a user name that is not available is refused "
        "without saying why); invite: an e-mailed link to set a password for a new account, or an "
        "invitation when an account with this e-mail exists (202, the same answer either way); "
        "existing: invite an account that already exists (by user name or "
        "e-mail): it joins when it accepts; the answer (202) is the same whether it exists or not.",
    )
    username = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(max_length=254, required=False)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    password = serializers.CharField(max_length=128, required=False, write_only=True, trim_whitespace=False)
    identifier = serializers.CharField(max_length=254, required=False)
    roles = _roles_field()
    employee = TenantRelatedField(queryset=Employee.objects, required=False, allow_null=True, default=None)

    def validate(self, attrs):
        missing = {
            field: [_("This field is required in this mode.")]
            for field in self.MODES[attrs["mode"]]
            if not attrs.get(field)
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class InvitationSentSerializer(serializers.Serializer):
    detail = serializers.CharField()


class MemberUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = MemberSerializer

    roles = _roles_field()
    employee = TenantRelatedField(queryset=Employee.objects, required=False, allow_null=True)


class MemberFilters(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="user name, name or e-mail contains"
    )
    role = serializers.ChoiceField(choices=Role.values, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=list(selectors.MEMBER_STATUSES), required=False, allow_blank=True
    )


@extend_schema_view(
    list=extend_schema(parameters=[MemberFilters]),
    create=extend_schema(
        request=MemberCreateSerializer,
        responses={
            201: MemberSerializer,
            202: OpenApiResponse(
                InvitationSentSerializer,
                description="modes invite and existing: an invitation went out (the same answer whether "
                "an account existed or not); a new account shows as invited at once, an existing one "
                "becomes a member when it accepts.",
            ),
        },
    ),
    update=extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer),
    partial_update=extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    read_roles = frozenset({Role.HR_ADMIN, Role.AUDITOR})
    write_roles = frozenset({Role.HR_ADMIN})
    serializer_class = MemberSerializer

    def get_queryset(self):
        if self.action != "list":
            return selectors.members()
        filters = MemberFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.members(**{name: value for name, value in filters.validated_data.items() if value})

    def _answer(self, membership: Membership, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.members().get(pk=membership.pk)
        return Response(MemberSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        given = MemberCreateSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        common = {"actor": request.user, "roles": data["roles"], "employee": data["employee"]}
        if data["mode"] == "create":
            membership = member_create(
                username=data["username"], email=data["email"], password=data["password"],
                first_name=data["first_name"], last_name=data["last_name"], **common,
            )
        elif data["mode"] == "invite":
            # A new account or an invitation to an existing one: the same answer either way.
            member_invite(
                email=data["email"], first_name=data["first_name"], last_name=data["last_name"], **common
            )
            return Response({"detail": str(INVITE_SENT)}, status=status.HTTP_202_ACCEPTED)
        else:
            # An invitation the person accepts; the same answer whether the account exists or not.
            member_add_existing(identifier=data["identifier"], **common)
            return Response({"detail": str(INVITATION_SENT)}, status=status.HTTP_202_ACCEPTED)
        return self._answer(membership, status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        membership = self.get_object()
        context = self.get_serializer_context()
        given = MemberUpdateSerializer(data=request.data, partial=partial, context=context)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        changes = {}
        if "roles" in data:
            changes["roles"] = data["roles"]
        if "employee" in data:
            changes["employee"] = data["employee"]
        membership = member_update(actor=request.user, membership=membership, **changes)
        return self._answer(membership)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _run(self, service) -> Response:
        membership = self.get_object()
        membership = service(actor=self.request.user, membership=membership)
        return self._answer(membership)

    @extend_schema(request=None, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, *args, **kwargs):
        """Take the member's access away at once: their sessions and tokens stop opening this tenant."""
        return self._run(member_deactivate)

    @extend_schema(request=None, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, *args, **kwargs):
        return self._run(member_reactivate)

    @extend_schema(request=None, responses=MemberSerializer)
    @action(detail=True, methods=["post"], url_path="resend-invitation")
    def resend_invitation(self, request, *args, **kwargs):
        """E-mail a fresh one-time link to a member who has not set a password yet."""
        return self._run(member_invite_resend)


router.register("members", MemberViewSet, basename="api-member")
