"""The classifiers' errors: each names what is wrong and where (a file), never flagged text.

The CLI (monitor) reports a ClassifierError as a clean message with a non-zero exit."""
from __future__ import annotations


class ClassifierError(Exception):
    """Base of the classifiers' own errors."""


class ModelError(ClassifierError):
    """A model file hallwatch ships is missing or unreadable; the message names the file."""
