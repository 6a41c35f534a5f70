"""The local host for function_app.py and the simulated Microsoft 365 tenant."""
