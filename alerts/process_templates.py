"""The built-in process templates: the five end-to-end processes the seed names, each a list of its typical
stages (name, inputs, outputs and a time limit) in the reader's language. HR starts a process from one (the
stages prefilled, the owner units to pick) or from a blank list; the template is only a starting point and
nothing refers back to it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alerts.models import ProcessKind, TimeUnit


@dataclass(frozen=True)
class StageTemplate:
    name: Promise
    inputs: Promise
    outputs: Promise
    time_limit: int
    time_unit: str = TimeUnit.WORKING_DAYS


D, H = TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS

TEMPLATES: dict[str, tuple[StageTemplate, ...]] = {
    ProcessKind.LEAD_TO_CASH: (
        StageTemplate(
            _("Lead capture"),
            _("Enquiries from campaigns, referrals and visits"),
            _("Qualified lead recorded with contact and need"),
            2,
        ),
        StageTemplate(
            _("Opportunity assessment"),
            _("Qualified lead"),
            _("Opportunity with scope, budget and decision maker confirmed"),
            5,
        ),
        StageTemplate(
            _("Quotation approval"),
            _("Opportunity and cost estimate"),
            _("Approved quotation within the pricing policy"),
            16,
            H,
        ),
        StageTemplate(
            _("Contract signing"), _("Approved quotation"), _("Signed contract reviewed by legal"), 5
        ),
        StageTemplate(
            _("Payment collection"),
            _("Signed contract and invoice"),
            _("Payment received and matched to the invoice"),
            30,
        ),
    ),
    ProcessKind.ORDER_TO_CASH: (
        StageTemplate(_("Order entry"), _("Customer order"), _("Order confirmed in the system"), 8, H),
        StageTemplate(_("Credit check"), _("Confirmed order"), _("Credit released or order held"), 8, H),
        StageTemplate(_("Production and picking"), _("Released order"), _("Goods ready to ship"), 5),
        StageTemplate(_("Shipment"), _("Goods ready to ship"), _("Goods delivered with signed receipt"), 3),
        StageTemplate(_("Invoicing"), _("Delivery receipt"), _("Invoice sent to the customer"), 2),
        StageTemplate(
            _("Payment collection"),
            _("Signed contract and invoice"),
            _("Payment received and matched to the invoice"),
            30,
        ),
    ),
    ProcessKind.PROCURE_TO_PAY: (
        StageTemplate(
            _("Purchase requisition"),
            _("A need with specification and quantity"),
            _("Requisition with budget code"),
            1,
        ),
        StageTemplate(
            _("Approval"),
            _("Requisition with budget code"),
            _("Approved requisition within the approval limits"),
            16,
            H,
        ),
        StageTemplate(
            _("Purchase order"),
            _("Approved requisition"),
            _("Purchase order placed with a qualified supplier"),
            3,
        ),
        StageTemplate(
            _("Receipt and inspection"),
            _("Delivered goods and delivery note"),
            _("Goods accepted to the quality standard, or returned"),
            2,
        ),
        StageTemplate(
            _("Payment"),
            _("Invoice matched to order and receipt"),
            _("Supplier paid on the agreed terms"),
            10,
        ),
    ),
    ProcessKind.HIRE_TO_ONBOARD: (
        StageTemplate(
            _("Headcount request"),
            _("A vacancy and the position's profile"),
            _("Approved headcount request"),
            3,
        ),
        StageTemplate(
            _("Sourcing and screening"),
            _("Approved headcount request"),
            _("Shortlist of screened candidates"),
            10,
        ),
        StageTemplate(
            _("Interviews"),
            _("Shortlist of screened candidates"),
            _("Interview feedback and a hiring decision"),
            10,
        ),
        StageTemplate(_("Offer"), _("Hiring decision"), _("Offer accepted by the candidate"), 5),
        StageTemplate(
            _("Onboarding"),
            _("Accepted offer"),
            _("Workplace, accounts and induction ready on the first day"),
            5,
        ),
    ),
    ProcessKind.DEMAND_TO_DELIVERY: (
        StageTemplate(
            _("Demand forecast"), _("Sales plan and order history"), _("Agreed demand forecast"), 5
        ),
        StageTemplate(
            _("Production planning"), _("Agreed demand forecast"), _("Production plan within capacity"), 3
        ),
        StageTemplate(_("Material supply"), _("Production plan"), _("Materials available on time"), 10),
        StageTemplate(
            _("Production"), _("Production plan and materials"), _("Finished goods passed inspection"), 10
        ),
        StageTemplate(_("Delivery"), _("Finished goods"), _("Goods delivered to the customer on time"), 3),
    ),
}


def template_stages(kind: str) -> list[dict[str, str]]:
    """The template's stages as editor rows, in the reader's language (no unit chosen yet); [] for a kind
    without a template (custom)."""
    return [
        {"name": str(stage.name), "inputs": str(stage.inputs), "outputs": str(stage.outputs),
         "time_limit": str(stage.time_limit), "time_unit": str(stage.time_unit), "decision_rights": "",
         "escalation_role": "", "owner_unit": "", "collaborating_units": ""}
        for stage in TEMPLATES.get(kind, ())
    ]  # fmt: skip


def template_name(kind: str) -> str:
    return str(ProcessKind(kind).label) if kind in ProcessKind.values else ""
