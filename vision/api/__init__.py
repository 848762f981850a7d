"""The client of the OpenAI-compatible API: request body, transport, retries, streams, results."""
