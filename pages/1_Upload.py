"""Upload: preview how a file is read, then import it explicitly (admin)."""

from ssi_bench.web import frame, upload

frame.page_setup("Upload", ":material/upload:")
upload.render()
