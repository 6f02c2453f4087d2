"""Retrieval: sentence embedders, the vector index and library search."""
