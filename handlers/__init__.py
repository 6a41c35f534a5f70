"""Channel logic as plain functions: pydantic models in, contact events (or an outcome) out."""
