"""Review templates: the dimensions raters score on the 1–5 scale, each point with its anchored description,
so every rater reads the same meaning into a "4".
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.concurrency import LockVersioned
from collab.tenancy import TenantOwned

SCALE = (1, 2, 3, 4, 5)
ANCHOR_FIELDS = tuple(f"anchor_{point}" for point in SCALE)


class ReviewKind(models.TextChoices):
    INTERNAL_CUSTOMER = "internal_customer", _("Internal-customer review")
    REVIEW_360 = "review_360", _("360 review")
    MUTUAL = "mutual", _("Department mutual review")


class ReviewTemplate(TenantOwned, LockVersioned):
    """The questions of a review: its dimensions, each scored 1–5 against anchored descriptions."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ReviewKind.choices, default=ReviewKind.INTERNAL_CUSTOMER
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive template is kept on record and marked inactive.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="review_template_unique_name"),
        ]
        ordering = ["name", "id"]
        verbose_name = _("review template")
        verbose_name_plural = _("review templates")

    def __str__(self) -> str:
        return self.name


class ReviewDimension(TenantOwned):
    """One thing raters score, e.g. "response speed", with what each point of the scale means."""

    template = models.ForeignKey(ReviewTemplate, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    anchor_1 = models.CharField(_("1 means"), max_length=300)
    anchor_2 = models.CharField(_("2 means"), max_length=300)
    anchor_3 = models.CharField(_("3 means"), max_length=300)
    anchor_4 = models.CharField(_("4 means"), max_length=300)
    anchor_5 = models.CharField(_("5 means"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "template", "name"], name="review_dimension_unique_name"
            ),
        ]
        ordering = ["template_id", "order", "id"]
        verbose_name = _("review dimension")
        verbose_name_plural = _("review dimensions")

    def __str__(self) -> str:
        return self.name

    @property
    def anchors(self) -> list[str]:
        return [getattr(self, name) for name in ANCHOR_FIELDS]
