"""Networks (teams, companies, communities) side by side: sizes, bands, profiles, trend."""

from ssi_bench.web import cohorts, frame

frame.page_setup("Networks", ":material/hub:")
cohorts.render("network")
