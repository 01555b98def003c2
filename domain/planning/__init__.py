"""Quality planning: teams, their structure, and the family of measures they plan to watch."""
