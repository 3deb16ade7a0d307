"""REST API v1, mounted into the Reflex app through `api_transformer`."""
