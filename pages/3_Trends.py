"""Trends: your score over time against your sector's median and middle half."""

import streamlit as st

from ssi_bench import ui
from ssi_bench.errors import SSIBenchError

bench = ui.page_setup("Trends", ":material/trending_up:")

st.title("Trends")
if ui.status().is_empty:
    ui.stop_with("No data yet: scores must be uploaded first.")

person_key = ui.identify_widget()
if person_key is None:
    st.stop()
metric = ui.metric_select()
try:
    ui.render_trend(bench.trend(person_key=person_key, metric=metric), metric)
    ui.share_button({"page": "trends", "metric": metric}, person_key=person_key, key="tr_share")
except SSIBenchError as exc:
    ui.show_error(exc)
