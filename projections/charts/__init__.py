"""The SPC read model: each measure's series folded from its events, and its chart computed from it."""
