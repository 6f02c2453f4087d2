"""Rubric engine: technique detection, conversation metrics, rubrics as data and scoring."""
