"""Sectors side by side: sizes, quantile bands, pillar profiles, median over time."""

from ssi_bench import ui

ui.cohort_comparison_page("sector")
