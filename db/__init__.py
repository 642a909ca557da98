"""Persistence: SQLModel models, engine factory and Alembic migrations."""
