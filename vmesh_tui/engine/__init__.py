"""Orchestration without UI: discover, plan, apply, validate, revert, recover as progress events."""
