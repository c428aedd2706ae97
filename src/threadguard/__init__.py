"""threadguard: tenant and user isolation for LangGraph's Postgres checkpoints."""

__version__ = "0.1.0"
