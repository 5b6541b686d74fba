"""Networks (teams, companies, communities) side by side: sizes, bands, profiles, trend."""

import streamlit as st

from ssi_bench import ui
from ssi_bench.errors import SSIBenchError

bench = ui.page_setup("Networks", ":material/hub:")

st.title("Networks")
st.caption(
    f"Only networks of at least {bench.settings.min_cohort} people are measured; quartiles need "
    "20. Never an individual's point, never a minimum or maximum."
)
if ui.status().is_empty:
    ui.stop_with("No data yet: scores must be uploaded first.")
c1, c2 = st.columns(2)
with c1:
    metric = ui.metric_select()
with c2:
    as_of = ui.as_of_input()
try:
    picked = ui.render_cohorts("network", metric, as_of, key="networks")
    view = {"page": "network", "metric": metric, "as_of": as_of and as_of.isoformat()}
    ui.share_button({**view, "selected": picked}, key="networks_share")
except SSIBenchError as exc:
    ui.show_error(exc)
