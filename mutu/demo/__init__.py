"""The demo: a simulated quarter of Kecamatan Candisari driven through the services' public APIs.

`roster` (units, people, catalogue) and `world` (who trains, answers and is appraised) build the
quarter from a seed; `requests` turns it into HTTP calls; `command` sends them (`mutu demo`);
`settle` waits for the pipeline; `expect` computes the figures the report must show; `charts`
draws the report's HTML page.
"""
