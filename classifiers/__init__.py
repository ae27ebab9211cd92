"""Detectors for the content rules of the division's social media procedures.

Public entry point: `analyze(items, directory) -> list[list[Finding]]` (one list per item, in
order). Knows text and images, nothing of the database.
"""
