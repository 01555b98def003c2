"""People and their personal data: requests that concern a person rather than a team's quality work."""
