"""Storage: typed SQLAlchemy models, the database handle, repositories and Alembic migrations.

SQL is the source of truth for everything CoachLab knows; the vector index is derived from it.
"""
