"""What the apps show on a member's home page (an employee's and a manager's): each app registers a panel
provider on `home_panels`, so the platform's home view shows every app's panel without importing the apps.
A provider takes the member's employee record and returns the panel's template context value, under the
panel's name (the home templates read it by that name)."""

from collab.hooks import Hook

home_panels = Hook()

# The HR admin's set-up checklist: steps whose data lives in an app (KPIs and goals) are ticked by that app.
# A provider takes nothing (it runs in the request's tenant scope) and answers whether its step is done.
setup_steps = Hook()
