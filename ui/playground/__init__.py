"""The Playground's components: image cards, parameters, preflight, answers and tools."""
