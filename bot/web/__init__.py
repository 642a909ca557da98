"""The web side (`cra-bot web`): public transparency pages and the CAN's dashboard.

A peer of bot/handlers: routes parse the request, call bot.workflows (never SQL) and render a
Jinja2 template. aiohttp (already here through aiogram) serves it; see README "The web side".
"""
