"""The business calendar, pure: `engine` (working days, holidays, 调休 and working-time arithmetic from plain
sets) and `official` (the public holidays and make-up working days a tenant's calendar starts from). The
tenant's editable calendar is `collab.models.calendar`; `collab.selectors.calendar.tenant_calendar` builds the
engine's calendar from it."""
