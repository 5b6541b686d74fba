"""Outcomes: does the SSI go with conversations, meetings, proposals, deals, revenue?"""

from ssi_bench.web import frame, outcomes

frame.page_setup("Outcomes", ":material/insights:")
outcomes.render()
