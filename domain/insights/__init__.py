"""Insights, savings rate and suggested limits: advice computed exactly from the figures."""
