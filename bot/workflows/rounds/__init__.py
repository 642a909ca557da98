"""Progress rounds: the secretary asks every liaison officer for progress on their institution's
agreements at once; the bot chases the silent ones and closes the round with a summary."""
