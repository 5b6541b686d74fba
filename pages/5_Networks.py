"""Networks (teams, companies, communities) side by side: sizes, bands, profiles, trend."""

from ssi_bench import ui

ui.cohort_comparison_page("network")
