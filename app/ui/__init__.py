"""Streamlit pages: thin views that read widgets, call one service and render the result.

UI modules never import sqlalchemy, chromadb, openai or langchain (a test enforces this), and never
render user-written text as HTML.
"""
