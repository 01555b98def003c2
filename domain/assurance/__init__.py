"""Quality assurance (occasional): audits and re-audits, inspections, guidance baselines and gap analyses."""
