"""Counting an open vote on one agenda point (DS 089-2013-PCM arts. 33-34).

Abstentions. TUO Ley 27444 art. 112.1 says members of a collegiate body may not abstain unless
the law allows it, and DS 089 allows it only for a conflict of interest (arts. 34, 37); the acta
must still record each member's vote (art. 32.4). So an abstention is recorded and counted as
present, but it is neither for nor against:

* `Majority.SIMPLE` — "mayoría simple de los miembros presentes" (art. 33) read as more for than
  against among those present; abstentions (and present members who have not voted) change
  nothing. A tie goes to the President's casting vote (voto dirimente).
* `Majority.TWO_THIRDS` — at least ⌈2/3 × present⌉ for (art. 34.1), so an abstention weighs
  like a vote against. There is no casting vote.

Whether a handler accepts an abstention at all (e.g. only with a declared conflict) is its choice.
Source: /work/shared/DOMAIN.md §0 and §1.8.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from bot.workflows.sessions.rules import TWO_THIRDS, Majority

__all__ = ["Majority", "Vote", "VoteResult", "count_votes"]


class Vote(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class VoteResult:
    """The count, the threshold for votes *for*, and the outcome."""

    rule: Majority
    present: int  # voting members present
    votes_for: int
    votes_against: int
    abstentions: int
    not_voted: int  # present but no vote recorded (yet)
    threshold: int  # votes for needed to adopt, given the other counts
    adopted: bool | None  # None while a tie waits for the President's casting vote
    casting_vote_used: bool = False

    @property
    def tie_needs_casting_vote(self) -> bool:
        return self.adopted is None


def count_votes(
    votes: Mapping[int, Vote],
    *,
    present_voting: int,
    rule: Majority,
    president_seat: int | None,
    casting_vote: Vote | None = None,
    qualified_fraction: Fraction = TWO_THIRDS,
) -> VoteResult:
    """Count `votes` (seat id → vote) of `present_voting` voting members present.

    `president_seat` is the seat presiding with a casting vote; None when nobody holds one (the
    commission's rules give none), and then a tie under `Majority.SIMPLE` is simply not adopted.
    `casting_vote` is only used to break such a tie. `qualified_fraction` is the commission's
    `CommissionRules.recusal_fraction` for `Majority.TWO_THIRDS` (2/3 by law).
    """
    if present_voting < 1:
        raise ValueError("a vote needs at least one voting member present")
    if len(votes) > present_voting:
        raise ValueError(f"{len(votes)} votes but only {present_voting} voting members present")
    if casting_vote is not None:
        if casting_vote is Vote.ABSTAIN:
            raise ValueError("a casting vote is for or against")
        if president_seat is None:
            raise ValueError("a casting vote needs a presiding seat")
    if not Fraction(1, 2) < qualified_fraction <= 1:
        raise ValueError("qualified_fraction must be in (1/2, 1]")

    rule = Majority(rule)  # a stored "two_thirds" string must not fall through to SIMPLE
    tally = Counter(Vote(v) for v in votes.values())
    n_for, n_against, n_abstain = tally[Vote.FOR], tally[Vote.AGAINST], tally[Vote.ABSTAIN]

    def result(threshold: int, adopted: bool | None, casting_vote_used: bool = False) -> VoteResult:
        return VoteResult(
            rule=rule,
            present=present_voting,
            votes_for=n_for,
            votes_against=n_against,
            abstentions=n_abstain,
            not_voted=present_voting - len(votes),
            threshold=threshold,
            adopted=adopted,
            casting_vote_used=casting_vote_used,
        )

    if rule is Majority.TWO_THIRDS:
        # Fraction keeps this exact: 2/3 × 6 is 4, not 4.000000001 rounded up to 5.
        threshold = math.ceil(qualified_fraction * present_voting)
        return result(threshold, n_for >= threshold)

    threshold = n_against + 1
    if n_for != n_against:
        return result(threshold, n_for > n_against)
    # A tie (0-0 included, when everyone abstained) is the President's to break (art. 33).
    if president_seat is None:
        return result(threshold, False)
    if casting_vote is None:
        return result(threshold, None)
    return result(threshold, casting_vote is Vote.FOR, casting_vote_used=True)
