"""The secretariat's rules: plain async functions over a database session, no aiogram, no scheduler.

Every function takes `now` explicitly and returns what must be said to whom (`Notice`s); the bot
layer renders each notice in its recipient's language and delivers it.
"""
