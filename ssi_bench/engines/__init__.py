"""The release job: one definition, run on DuckDB (in-process, the default) or Apache Spark.

The job turns pseudonymised snapshots into exact per-cohort histograms, one per publication
date × cohort × metric (:mod:`ssi_bench.engines.job`); everything published follows from those
small tables (:mod:`ssi_bench.release`).
"""
