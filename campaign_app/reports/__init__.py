"""Managers' dashboards: what a selection of campaigns, places, dates and officers achieved.

Service layer only so far: ``selection`` (the filters, as SQL conditions), ``metrics`` (the figures of a
selection), ``breakdowns`` (the same figures per regency, district, village, officer, channel, occupation
or payer) and ``trend`` (sign-ups and attendance per week or month). Every figure is aggregated in SQL by
a fixed number of statements, whatever the amount of data.
"""
