"""The Batch page's components: inputs, results and blind votes."""
