"""Outcomes: does the SSI go with conversations, meetings, proposals, deals, revenue?"""

import streamlit as st

from ssi_bench import ui
from ssi_bench.errors import SSIBenchError
from ssi_bench.fields import METRIC_LABELS, METRICS

bench = ui.page_setup("Outcomes", ":material/insights:")

st.title("Outcomes")
st.markdown(
    "Critics say the SSI measures how you use LinkedIn, not what you sell. When outcome "
    "columns were uploaded, this page checks it on your own data: Spearman's ρ between a "
    "score and each outcome per cohort, with a 95% interval and the number of people behind "
    "it. Cohort-level only: no individual point is ever drawn."
)
if ui.status().is_empty:
    ui.stop_with("No data yet: scores must be uploaded first.")
if not ui.has_outcomes():
    ui.stop_with(
        "No outcomes uploaded yet. Add columns such as conversations, meetings, proposals, "
        "deals_won or revenue to an upload to see this page."
    )
c1, c2 = st.columns(2)
kind = c1.selectbox(
    "Cohorts",
    ["all", "sector", "network"],
    format_func={"all": "Everyone", "sector": "Per sector", "network": "Per network"}.get,
    key="oc_kind",
)
metric = c2.selectbox(
    "Score", list(METRICS), format_func=lambda m: METRIC_LABELS[m], key="oc_metric"
)
try:
    ui.render_outcomes(ui.outcomes(kind, metric))
except SSIBenchError as exc:
    ui.show_error(exc)
