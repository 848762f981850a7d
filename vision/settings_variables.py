"""The environment variables the API key and base URL are read from; a module of its own that
imports nothing, so the command line's help can name them without reading any settings."""

API_KEY_VARIABLE = "IOINTELLIGENCE_API_KEY"
BASE_URL_VARIABLE = "IOINTELLIGENCE_BASE_URL"
