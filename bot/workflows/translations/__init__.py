"""Translations reviewed in the chat: «Ver en español» and «⚑» under notices sent in another
language (copies.py), translators per language (reviewers.py), readers' reports and the reviewers'
corrections and approvals, used by the next message without a restart (review.py)."""
