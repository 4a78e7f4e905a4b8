"""Scoring report-qa on an eval set: retrieval (hit@k, MRR) and answers (accuracy,
citations, abstention). Run ``python -m eval``; ``python -m eval.bench`` times it."""
