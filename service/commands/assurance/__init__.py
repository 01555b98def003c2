"""Assurance commands, one module per noun: audits and their programme, inspections, guidance and its
assessments, fishbone diagrams. Each loads one aggregate, calls one method, and saves it with its expected
version; other aggregates are only read, for the rules."""
