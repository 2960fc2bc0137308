"""The tenant's business calendar in the API.

`business-calendar/`          GET the settings {base, weekend (ISO weekdays off, 1 Monday … 7 Sunday),
                              day_start, day_end, announced_through, lock_version, …};
                              PATCH them {lock_version, …}
`business-calendar/days/`     GET ?year=YYYY: every day of the year as the calendar counts it {date, working,
                              name, source (weekly | official | tenant), official_working, official_name,
                              override} with what the official data covers
`calendar-days/`              the tenant's own days: list (?year=), create {date, kind, name, note?}
`calendar-days/<id>/`         retrieve, update / partial update {lock_version, …}, delete (?lock_version=N)

Every member reads; HR admins write.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from collab.access import access_calendar_day_by_id
from collab.api import router
from collab.calendar.official import announced_through
from collab.models import CalendarBase, CalendarDayKind
from collab.routing.fields import LockVersionField, StrictWriteMixin, lock_version_of, validated_body
from collab.routing.viewsets import TenantViewSet
from collab.selectors.audit.events import tenant_zone
from collab.selectors.calendar import calendar_days, calendar_year
from collab.services import calendar as services
from collab.services.calendar import FIRST_YEAR, LAST_YEAR

SOURCES = ("weekly", "official", "tenant")
HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class WeekendField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.IntegerField(min_value=1, max_value=7), max_length=6,
            help_text="The weekly days off as ISO weekday numbers (1 Monday … 7 Sunday); at least one "
            "weekday stays a working day.", **kwargs,
        )  # fmt: skip


class BusinessCalendarSerializer(serializers.Serializer):
    base = serializers.ChoiceField(
        choices=CalendarBase.choices, read_only=True,
        help_text="The official days the calendar starts from: CN (mainland China's public holidays and "
        "make-up working days) or none (the weekly days off only).",
    )  # fmt: skip
    weekend = WeekendField(read_only=True)
    day_start = serializers.CharField(read_only=True, help_text="When a working day starts, HH:MM.")
    day_end = serializers.CharField(read_only=True, help_text="When it ends, HH:MM; 00:00 means midnight.")
    announced_through = serializers.IntegerField(
        read_only=True, allow_null=True,
        help_text="The last year whose official schedule (days off and make-up working days) the data "
        "carries; later years have the statutory holidays only, until HR adds the announced days.",
    )  # fmt: skip
    lock_version = LockVersionField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class BusinessCalendarUpdateSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    base = serializers.ChoiceField(choices=CalendarBase.choices, required=False)
    weekend = WeekendField(required=False)
    day_start = serializers.RegexField(HH_MM, max_length=5, required=False, help_text="HH:MM")
    day_end = serializers.RegexField(HH_MM, max_length=5, required=False, help_text="HH:MM; 00:00: midnight")


class CalendarDateSerializer(serializers.Serializer):
    date = serializers.DateField()
    working = serializers.BooleanField()
    name = serializers.CharField(help_text="The tenant's entry's name, else the official one; blank else.")
    source = serializers.ChoiceField(
        choices=[(s, s) for s in SOURCES],
        help_text="Where the day's status comes from: the weekly pattern, the official data, the tenant.",
    )
    official_working = serializers.BooleanField(
        allow_null=True, help_text="What the official data says of the date; null when it says nothing."
    )
    official_name = serializers.CharField()
    override = serializers.IntegerField(
        source="override.pk", allow_null=True, help_text="The tenant's own entry (calendar-days) of the date."
    )


class CalendarYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    announced_through = serializers.IntegerField(allow_null=True)
    official_complete = serializers.BooleanField(
        help_text="False when the official data lacks the year's announced schedule (make-up working days)."
    )
    days = CalendarDateSerializer(many=True)


class YearFilter(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)


class CalendarDaySerializer(StrictWriteMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=CalendarDayKind.choices,
        help_text="holiday: a day off; workday: a working day (a make-up day, work on a public holiday).",
    )
    name = serializers.CharField(max_length=100)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    lock_version = LockVersionField()
    updated_at = serializers.DateTimeField(read_only=True)


class CalendarDayUpdateSerializer(CalendarDaySerializer):
    shown_by = CalendarDaySerializer
    lock_version = LockVersionField(required=True)


def _year(request) -> int | None:
    filters = YearFilter(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data.get("year")


def _settings_data(settings) -> dict:
    return {
        "base": settings.base, "weekend": services.weekend_of(settings.weekmask),
        "day_start": settings.day_start.strftime("%H:%M"), "day_end": settings.day_end.strftime("%H:%M"),
        "announced_through": announced_through(settings.base),
        "lock_version": settings.lock_version, "updated_at": settings.updated_at,
    }  # fmt: skip


class BusinessCalendarViewSet(TenantViewSet):
    # The tenant's calendar settings (one object, no id: `collab.api.SINGLETON_ROUTE`) and its days of a year.

    serializer_class = BusinessCalendarSerializer
    pagination_class = None

    @extend_schema(responses=BusinessCalendarSerializer, description="The tenant's calendar settings.")
    def read(self, request, *args, **kwargs):
        return Response(BusinessCalendarSerializer(_settings_data(services.calendar_settings())).data)

    @extend_schema(
        request=BusinessCalendarUpdateSerializer, responses=BusinessCalendarSerializer,
        description="Change the settings given (HR admins); lock_version as read (stale: 409).",
    )  # fmt: skip
    def partial_change(self, request, *args, **kwargs):
        data = validated_body(self, BusinessCalendarUpdateSerializer, partial=True)
        data.pop("lock_version", None)
        saved = services.calendar_update(actor=request.user, lock_version=lock_version_of(request), data=data)
        return Response(BusinessCalendarSerializer(_settings_data(saved)).data)

    @extend_schema(
        parameters=[YearFilter], responses=CalendarYearSerializer,
        description="Every day of a year (default: this year) as the calendar counts it.",
    )  # fmt: skip
    @action(detail=False, methods=["get"], url_path="days", url_name="days")
    def days(self, request, *args, **kwargs):
        year = _year(request) or timezone.localdate(timezone=tenant_zone(request.tenant.timezone)).year
        return Response(CalendarYearSerializer(calendar_year(year)).data)


@extend_schema_view(
    list=extend_schema(parameters=[YearFilter]),
    update=extend_schema(request=CalendarDayUpdateSerializer),
    partial_update=extend_schema(request=CalendarDayUpdateSerializer),
)
class CalendarDayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = CalendarDaySerializer

    def get_queryset(self):
        if self.action != "list":
            return calendar_days()
        return calendar_days(year=_year(self.request))

    def get_object(self):
        write = self.request.method not in SAFE_METHODS
        return access_calendar_day_by_id(self.request.membership, self.kwargs.get("pk"), write=write)

    def create(self, request, *args, **kwargs):
        data = validated_body(self, CalendarDaySerializer)
        day = services.calendar_day_create(actor=request.user, data=data)
        return Response(CalendarDaySerializer(day).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        day = self.get_object()
        partial = kwargs.get("partial", False)
        data = validated_body(self, CalendarDayUpdateSerializer, partial=partial)
        data.pop("lock_version", None)
        if partial:
            data = {key: value for key, value in data.items() if key in request.data}
        saved = services.calendar_day_update(
            actor=request.user, day=day, lock_version=lock_version_of(request), data=data
        )
        return Response(CalendarDaySerializer(saved).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        day = self.get_object()
        services.calendar_day_delete(actor=request.user, day=day, lock_version=lock_version_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


router.register("business-calendar", BusinessCalendarViewSet, basename="api-business-calendar")
router.register("calendar-days", CalendarDayViewSet, basename="api-calendar-day")
