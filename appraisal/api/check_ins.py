"""API of check-ins (绩效沟通), routed by appraisal/urls.py.

`check-ins/`        list (the check-ins of the appraisals the member reads, appraisal/access.py; `appraisal`),
                    create {appraisal, held_on, progress?, obstacles?, goal_notes?: [{personal_goal,
                    progress}], actions?: [{description, owner: "employee" | "manager", due_on}],
                    private_note?} by the person or their manager, retrieve;
`check-ins/<id>/`   PUT/PATCH {lock_version, …} by its author (an action sent with its `id` keeps whether it
                    is done; one left out is removed).
`check-ins/<id>/action-done/`  POST {action, done, lock_version (the action's)} by the action's owner: marked
                    done or open again (while check-ins are open for the person).
`private_note` is the reader's own note on the check-in (null when they keep none): another person's private
note is never in any answer.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from appraisal.access import (
    access_appraisal_by_id,
    access_check_in_action_by_id,
    access_check_in_by_id,
    appraisal_reader,
    readable_appraisals,
)
from appraisal.models import Appraisal, CheckIn, CheckInAction, CheckInGoal, CheckInPrivateNote, PersonalGoal
from appraisal.services import check_ins as services
from collab.concurrency import UNSET
from collab.models import ALL_ROLES, WRITE_ROLES
from collab.routing.fields import (
    LockVersionField,
    RowsField,
    StrictWriteMixin,
    TenantRelatedField,
    lock_version_of,
    nested_rows,
    validated_body,
)
from collab.routing.ids import MAX_ID, id_param
from collab.routing.viewsets import TenantViewSet


class GoalNoteSerializer(serializers.Serializer):
    personal_goal = TenantRelatedField(queryset=PersonalGoal.objects)
    progress = serializers.CharField(max_length=5000, allow_blank=True)


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="An action of this check-in to keep (its done state stays).",
    )
    description = serializers.CharField(max_length=500)
    owner = serializers.ChoiceField(choices=[(o, o) for o in services.OWNERS])
    due_on = serializers.DateField()


class ActionShownSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = CheckInAction
        fields = ["id", "description", "owner", "owner_name", "due_on", "done_at", "lock_version"]
        read_only_fields = fields


class GoalNoteShownSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckInGoal
        fields = ["personal_goal", "progress"]
        read_only_fields = fields


class ActionDoneSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    action = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="An action of this check-in.")
    done = serializers.BooleanField()
    lock_version = LockVersionField(required=True, help_text="The action's version.")


class CheckInSerializer(serializers.ModelSerializer):
    goal_notes = GoalNoteShownSerializer(many=True, read_only=True)
    actions = ActionShownSerializer(many=True, read_only=True)
    private_note = serializers.SerializerMethodField()
    lock_version = LockVersionField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "appraisal",
            "held_on",
            "progress",
            "obstacles",
            "goal_notes",
            "actions",
            "private_note",
            "created_by",
            "created_at",
            "updated_at",
            "lock_version",
        ]
        read_only_fields = fields

    def get_private_note(self, obj) -> str | None:
        """Your own private note on this check-in (never anyone else's), or null."""
        notes = getattr(obj, "my_notes", None)
        return notes[0].text if notes else None


class CheckInWriteSerializer(StrictWriteMixin, serializers.Serializer):
    shown_by = CheckInSerializer
    appraisal = TenantRelatedField(queryset=Appraisal.objects)
    held_on = serializers.DateField()
    progress = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    obstacles = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    goal_notes = RowsField(GoalNoteSerializer, required=False)
    actions = RowsField(ActionSerializer, required=False)
    private_note = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text="Your own private note: only you ever read it.",
    )


class CheckInUpdateSerializer(CheckInWriteSerializer):
    appraisal = None
    lock_version = LockVersionField(required=True)


def _queryset(user):
    return CheckIn.objects.select_related("created_by").prefetch_related(
        Prefetch("goal_notes", queryset=CheckInGoal.objects.order_by("id")),
        Prefetch("actions", queryset=CheckInAction.objects.select_related("owner").order_by("due_on", "id")),
        Prefetch(
            "private_notes", queryset=CheckInPrivateNote.objects.filter(author_id=user.pk), to_attr="my_notes"
        ),
    )


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("appraisal", OpenApiTypes.INT)]),
    create=extend_schema(request=CheckInWriteSerializer, responses={201: CheckInSerializer}),
    update=extend_schema(request=CheckInUpdateSerializer, responses=CheckInSerializer),
    partial_update=extend_schema(request=CheckInUpdateSerializer, responses=CheckInSerializer),
)
class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = CheckInSerializer
    read_roles = ALL_ROLES
    write_roles = WRITE_ROLES
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _reader(self):
        return appraisal_reader(self.request.membership, self.request.user)

    def get_queryset(self):
        queryset = (
            _queryset(self.request.user)
            .filter(appraisal__in=readable_appraisals(self._reader()).values("pk"))
            .order_by("id")
        )
        if self.action == "list":
            errors: dict = {}
            appraisal = id_param(self.request, "appraisal", errors)
            if errors:
                raise exceptions.ValidationError(errors)
            if appraisal is not None:
                queryset = queryset.filter(appraisal_id=appraisal)
        return queryset

    def get_object(self):
        return access_check_in_by_id(self._reader(), self.kwargs.get("pk"))

    def _respond(self, check_in, code=status.HTTP_200_OK):
        return Response(CheckInSerializer(_queryset(self.request.user).get(pk=check_in.pk)).data, status=code)

    def _rows(self, data, *, partial):
        for key, serializer in (("goal_notes", GoalNoteSerializer), ("actions", ActionSerializer)):
            rows = nested_rows(self, serializer, key, required=False)
            if rows is UNSET:  # left out
                if not partial:
                    data[key] = []
                continue
            data[key] = rows
        return data

    def create(self, request, *args, **kwargs):
        data = validated_body(self, CheckInWriteSerializer)
        appraisal = access_appraisal_by_id(self._reader(), data.pop("appraisal").pk)
        data = self._rows(data, partial=False)
        check_in = services.check_in_create(actor=request.user, appraisal=appraisal, data=data)
        return self._respond(check_in, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        check_in = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated_body(self, CheckInUpdateSerializer, partial=partial)
        version = lock_version_of(request)
        data.pop("lock_version", None)
        data = self._rows(data, partial=partial)
        if partial:
            current = _queryset(request.user).get(pk=check_in.pk)
            kept = {
                "held_on": current.held_on,
                "progress": current.progress,
                "obstacles": current.obstacles,
                "goal_notes": [
                    {"personal_goal": n.personal_goal_id, "progress": n.progress}
                    for n in current.goal_notes.all()
                ],
                "actions": [
                    {
                        "id": a.pk,
                        "description": a.description,
                        "due_on": a.due_on,
                        "owner": "employee" if a.owner_id == current.appraisal.employee_id else "manager",
                    }
                    for a in current.actions.all()
                ],
            }
            data = kept | data
        saved = services.check_in_update(
            actor=request.user, check_in=check_in, data=data, lock_version=version
        )
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=ActionDoneSerializer, responses=CheckInSerializer)
    @action(detail=True, methods=["post"], url_path="action-done", serializer_class=ActionDoneSerializer)
    def action_done(self, request, *args, **kwargs):
        """The owner of one of this check-in's agreed actions marks it done, or open again."""
        check_in = self.get_object()
        data = validated_body(self, ActionDoneSerializer)
        agreed = access_check_in_action_by_id(self._reader(), data["action"])
        if agreed.check_in_id != check_in.pk:
            raise Http404
        services.check_in_action_done(
            actor=request.user, action=agreed, done=data["done"], lock_version=data["lock_version"]
        )
        return self._respond(check_in)
