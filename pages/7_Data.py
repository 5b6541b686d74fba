"""Data (admin): uploads and undo, erasure, demo removal, exports, share links, settings."""

from ssi_bench.web import data, frame

frame.page_setup("Data", ":material/database:")
data.render()
