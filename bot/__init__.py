"""CRA Secretariat Bot: the Telegram technical secretariat of Peru's anticorruption commissions."""
