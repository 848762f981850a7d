"""A batch recorded in the history: what it asked (its spec), and which jobs it still lacks."""
