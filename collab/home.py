"""What the apps show on a member's home page (an employee's and a manager's): each app registers a panel
provider on `home_panels`, so the platform's home view shows every app's panel without importing the apps.
A provider takes the member's employee record and returns the panel's template context value, under the
panel's name (the home templates read it by that name)."""

from collab.hooks import Hook

home_panels = Hook()
