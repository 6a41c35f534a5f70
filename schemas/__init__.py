"""Pydantic models: the contact event, the Graph payload subsets Loket reads, the policy, the API."""
