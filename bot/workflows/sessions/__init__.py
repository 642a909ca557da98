"""Sessions of a commission: its rules and annual calendar, scheduling under the notice rule,
convocations and answers, the quorum forecast, roll call, votes, agreements adopted and the acta."""
