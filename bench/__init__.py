"""supportdesk's benchmarks: the suite behind `make bench` (suite.py) and the mail intake
benchmark (ingest.py). Not part of the product and not run by the test suite, except the
pure helpers' tests (test_suite_pure.py)."""
