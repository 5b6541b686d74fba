"""Home: what SSI Bench is, what data it holds, and "check my score" (nothing stored)."""

from ssi_bench.web import frame, home

frame.page_setup("Home", ":material/home:")
home.render()
