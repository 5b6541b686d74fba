"""Trends: your score over time against your sector's median and middle half."""

from ssi_bench.web import frame, trends

frame.page_setup("Trends", ":material/trending_up:")
trends.render()
