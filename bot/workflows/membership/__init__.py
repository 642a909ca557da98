"""Who belongs: the commissions, their seats and institutions, invitations and how a person joins,
each person's own settings (language, active commission) and their personal data (Ley 29733)."""
