"""Quality control: measures observed over time and charted with SPC."""
