"""My benchmark: your standing per metric in your sector, your network and everyone."""

import streamlit as st

from ssi_bench import ui
from ssi_bench.errors import SSIBenchError

bench = ui.page_setup("My benchmark", ":material/target:")
k = bench.settings.min_cohort

st.title("My benchmark")
if ui.status().is_empty:
    ui.stop_with("No data yet: scores must be uploaded first.")

as_of = ui.as_of_input()
mode = st.segmented_control(
    "Identify by",
    ["My identifier", "Type my scores"],
    default="My identifier",
    key="mb_mode",
    required=True,
)

try:
    if mode == "Type my scores":
        pillars = ui.pillar_inputs("mb")
        c1, c2 = st.columns(2)
        sector = c1.selectbox(
            "Sector", ui.sector_options(as_of), index=None, key="mb_sector", placeholder="Pick"
        )
        network = c2.selectbox(
            "Network (optional)",
            [c.name for c in ui.cohort_names("network", as_of)],
            index=None,
            key="mb_network",
            placeholder="Pick",
        )
        if pillars is None:
            ui.stop_with("Type your four pillar scores from LinkedIn's SSI page.")
        mb = bench.my_benchmark(pillars=pillars, sector=sector, network=network, as_of=as_of)
        ui.render_my_benchmark(mb, k)
        view = {
            "page": "my_benchmark",
            "pillars": list(pillars),
            "sector": sector,
            "network": network,
            "as_of": mb.as_of.isoformat(),
        }
        ui.share_button(view, key="mb_share")
    else:
        person_key = ui.identify_widget()
        if person_key is None:
            st.stop()
        mb = bench.my_benchmark(person_key=person_key, as_of=as_of)
        ui.render_my_benchmark(mb, k)
        ui.share_button(
            # The link freezes what you see now (gated figures, no identifier).
            {"page": "my_benchmark", "as_of": mb.as_of.isoformat(), "snapshot": mb.to_dict()},
            person_key=person_key,
            key="mb_share",
        )
except SSIBenchError as exc:
    ui.show_error(exc)
