"""Scenarios: the scenario file format, its loader and the persona engines that play the client."""
