"""Who the caller is (tokens) and what they may do (the one permission policy)."""
