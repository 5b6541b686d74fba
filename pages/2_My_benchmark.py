"""My benchmark: your standing per metric in your sector, your network and everyone."""

from ssi_bench.web import frame, my_benchmark

frame.page_setup("My benchmark", ":material/target:")
my_benchmark.render()
