"""Sectors side by side: sizes, quantile bands, pillar profiles, median over time."""

from ssi_bench.web import cohorts, frame

frame.page_setup("Sectors", ":material/factory:")
cohorts.render("sector")
