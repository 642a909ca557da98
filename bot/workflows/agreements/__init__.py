"""The agreements register: each acuerdo with its owner institutions, deadline and progress,
its history of changes, reminders before the deadline and escalation once it is overdue."""
