"""feedback.services.templates: create, correct and delete review templates — every check a field error,
nothing written on a refusal, a stale or missing version refused, a no-op save writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from collab.concurrency import StaleEditError
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from feedback.models import ReviewDimension, ReviewTemplate
from feedback.services.templates import (
    MAX_DIMENSIONS,
    review_template_create,
    review_template_delete,
    review_template_update,
)
from tests.factories.feedback import dimension_rows

pytestmark = pytest.mark.django_db


def create(actor, name="R&D rated by sales", dims=("Response speed", "Feasibility")):
    return review_template_create(
        actor=actor, data={"name": name, "kind": "internal_customer"}, dimensions=dimension_rows(*dims)
    )


def test_create_keeps_the_dimensions_in_order_and_audits(scope_a, hr_a):
    template = create(hr_a, dims=("Response speed", "Feasibility", "Timeliness"))
    stored = ReviewDimension.objects.filter(template=template).order_by("order")
    names = list(stored.values_list("name", flat=True))
    assert names == ["Response speed", "Feasibility", "Timeliness"]
    assert template.dimensions.first().anchors[4] == "Response speed: point 5"
    event = AuditEvent.objects.get(action="review_template.create")
    assert [d["name"] for d in event.after["dimensions"]] == names


def test_every_problem_is_a_field_error_and_nothing_is_written(scope_a, hr_a):
    rows = dimension_rows("Speed", "speed")
    rows[0]["anchor_3"] = "  "
    rows[1]["name"] = "Speed"
    with pytest.raises(ValidationError) as refused:
        review_template_create(actor=hr_a, data={"name": "", "kind": "bogus"}, dimensions=rows)
    errors = refused.value.message_dict
    assert set(errors) == {"name", "kind", "dimensions-0-anchor_3", "dimensions-1-name"}
    assert not ReviewTemplate.objects.exists()


@pytest.mark.parametrize(
    ("dimensions", "key"),
    [([], "dimensions"), (dimension_rows(*[f"D{i}" for i in range(MAX_DIMENSIONS + 1)]), "dimensions"),
     ("not a list", "dimensions"), ([{"name": "x\x00"}], "dimensions-0-name"),
     (["text"], "dimensions-0-name")],
)  # fmt: skip
def test_bad_dimension_lists_are_refused(scope_a, hr_a, dimensions, key):
    with pytest.raises(ValidationError) as refused:
        review_template_create(actor=hr_a, data={"name": "T"}, dimensions=dimensions)
    assert key in refused.value.message_dict


def test_the_name_is_unique_in_the_tenant_only(tenant_a, tenant_b, hr_a, hr_b):
    with tenant_scope(tenant_a):
        create(hr_a, name="Shared services")
        with pytest.raises(ValidationError) as refused:
            create(hr_a, name="shared SERVICES")
        assert "name" in refused.value.message_dict
    with tenant_scope(tenant_b):
        create(hr_b, name="Shared services")  # another tenant's name is no clash


def test_update_replaces_dimensions_and_bumps_the_version(scope_a, hr_a):
    template = create(hr_a)
    saved = review_template_update(
        actor=hr_a, template=template, lock_version=template.lock_version,
        data={"name": "Renamed"}, dimensions=dimension_rows("Only one"),
    )  # fmt: skip
    assert saved.lock_version == template.lock_version + 1
    assert list(saved.dimensions.values_list("name", flat=True)) == ["Only one"]
    assert ReviewTemplate.objects.get().name == "Renamed"


def test_a_save_that_changes_nothing_writes_nothing(scope_a, hr_a):
    template = create(hr_a)
    dimension_ids = set(ReviewDimension.objects.values_list("pk", flat=True))
    saved = review_template_update(
        actor=hr_a, template=template, lock_version=template.lock_version,
        data={"name": template.name, "kind": template.kind},
        dimensions=dimension_rows("Response speed", "Feasibility"),
    )  # fmt: skip
    assert saved.lock_version == template.lock_version
    assert set(ReviewDimension.objects.values_list("pk", flat=True)) == dimension_ids
    assert not AuditEvent.objects.filter(action="review_template.update").exists()


@pytest.mark.parametrize("seen", [None, 0, "x", True])
def test_a_stale_or_missing_version_is_refused_and_nothing_changes(scope_a, hr_a, seen):
    template = create(hr_a)
    with pytest.raises(StaleEditError):
        review_template_update(actor=hr_a, template=template, lock_version=seen, data={"name": "Other"})
    assert ReviewTemplate.objects.get().name == template.name


def test_delete_checks_the_version_and_takes_the_dimensions(scope_a, hr_a):
    template = create(hr_a)
    with pytest.raises(StaleEditError):
        review_template_delete(actor=hr_a, template=template, lock_version=template.lock_version + 1)
    review_template_delete(actor=hr_a, template=template, lock_version=template.lock_version)
    assert not ReviewTemplate.objects.exists()
    assert not ReviewDimension.objects.exists()
    assert AuditEvent.objects.filter(action="review_template.delete").exists()
