"""The bench data set: a large, realistic desk built fast with bulk inserts (`supportdesk bench seed`).

Pure and deterministic: `plan` (sizes and times), `names` and `people` (team, organizations,
customers), `texts` (messages and their search form), `stories` (what happens to each ticket,
and when), `replay` (those steps carried out by the services' rules, as rows), `steps` and
`refs` (the plain data passed between them). With I/O: `desk` (the set-up rows, mostly through
the services), `files` (the sample attachment files), `columns` (what the load writes),
`writers` (SQLite and PostgreSQL bulk writers), `pipeline` (rows built in a second process),
`progress`, and `loader` (`seed_bench`). The demo README says what it keeps consistent and why.
"""
