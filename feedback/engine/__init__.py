"""Pure computation of the feedback app (numpy/pandas and the standard library only: no ORM, no display)."""
