"""The web side's rules: what is published, the CAN dashboard's data, passwordless web logins.

bot/web/ (the aiohttp routes) calls these; it never queries the database itself.
"""
