"""Exceptions of report-qa.

    QAError (ValueError)          every error we raise on purpose; the message says how to fix it
    ├── ReportError               a report file is missing, empty, not UTF-8 or not readable
    └── SettingsError             a setting (environment variable, argument) has a bad value

Bad questions and bad ``k`` raise plain ``ValueError``/``TypeError`` at the API boundary.
"""

from __future__ import annotations


class QAError(ValueError):
    """Base class of the errors report-qa raises on purpose."""


class ReportError(QAError):
    """A report file cannot be used; the message names the file."""


class SettingsError(QAError):
    """A setting has a value report-qa cannot use."""
