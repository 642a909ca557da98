"""Quorum (arts. 30-31) and vote counting (arts. 33-34) with the numbers written out."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bot.workflows.sessions.quorum import (
    QuorumForecast,
    RollCall,
    is_impossible,
    numero_habil,
    quorum_for,
    roll_call,
)
from bot.workflows.sessions.votes import Majority, Vote, VoteResult, count_votes

F, A, X = Vote.FOR, Vote.AGAINST, Vote.ABSTAIN


def ballot(*votes: Vote) -> dict[int, Vote]:
    """Seats numbered from 1 in the order given."""
    return {seat: vote for seat, vote in enumerate(votes, start=1)}


# --- quorum ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("habil", "quorum"),
    [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4), (8, 5), (9, 5), (10, 6), (20, 11)],
)
def test_quorum_is_half_plus_one_of_the_numero_habil(habil: int, quorum: int) -> None:
    assert quorum_for(habil) == quorum


def test_quorum_share_comes_from_the_commission_rules() -> None:
    assert quorum_for(9, above=Fraction(2, 3)) == 7  # more than 6


@pytest.mark.parametrize(
    ("seats", "justified", "habil"),
    [(5, 0, 5), (10, 2, 8), (7, 3, 4), (20, 20, 0)],
)
def test_numero_habil_discounts_justified_absences(seats: int, justified: int, habil: int) -> None:
    assert numero_habil(seats, justified) == habil


@pytest.mark.parametrize(("seats", "justified"), [(5, 6), (-1, 0), (5, -1)])
def test_numero_habil_refuses_impossible_counts(seats: int, justified: int) -> None:
    with pytest.raises(ValueError, match=r"justified|negative"):
        numero_habil(seats, justified)


@pytest.mark.parametrize(
    ("seats", "justified", "impossible"),
    [
        (10, 5, False),  # exactly half can still come
        (10, 6, True),
        (7, 3, False),  # 4 of 7 can come
        (7, 4, True),  # 3 of 7 is fewer than half
        (5, 2, False),
        (5, 3, True),
        (1, 0, False),
        (1, 1, True),
        (0, 0, True),  # nobody with a vote at all
    ],
)
def test_justifications_that_leave_fewer_than_half_force_a_reprogramming(
    seats: int, justified: int, impossible: bool
) -> None:
    assert is_impossible(seats, justified) is impossible


@pytest.mark.parametrize(
    ("seats", "justified", "confirmed", "unanswered", "expected"),
    [
        # (número hábil, quorum, reachable, at_risk, impossible, missing, declined)
        (9, 0, 5, 2, (9, 5, True, False, False, 0, 2)),
        (9, 0, 3, 2, (9, 5, True, True, False, 2, 4)),
        (9, 0, 3, 1, (9, 5, False, True, False, 2, 5)),
        (8, 2, 4, 0, (6, 4, True, False, False, 0, 2)),  # even número hábil: 6 → 4
        (7, 2, 2, 1, (5, 3, True, True, False, 1, 2)),  # odd: 5 → 3
        (10, 6, 3, 1, (4, 3, True, False, True, 0, 0)),  # quorum met on paper, still reprogram
        (5, 0, 0, 0, (5, 3, False, True, False, 3, 5)),
    ],
)
def test_quorum_forecast(
    seats: int,
    justified: int,
    confirmed: int,
    unanswered: int,
    expected: tuple[int, int, bool, bool, bool, int, int],
) -> None:
    forecast = QuorumForecast(seats, justified, confirmed, unanswered)
    assert (
        forecast.habil,
        forecast.quorum,
        forecast.reachable,
        forecast.at_risk,
        forecast.impossible,
        forecast.missing,
        forecast.declined,
    ) == expected


def test_forecast_refuses_more_answers_than_the_numero_habil() -> None:
    with pytest.raises(ValueError, match="número hábil"):
        QuorumForecast(voting_seats=5, justified_absences=2, confirmed=3, unanswered=1)


@pytest.mark.parametrize(
    ("present", "habil", "expected"),
    [
        (5, 9, RollCall(present=5, habil=9, quorum=5, installed=True, missing=0)),
        (4, 9, RollCall(present=4, habil=9, quorum=5, installed=False, missing=1)),
        (4, 6, RollCall(present=4, habil=6, quorum=4, installed=True, missing=0)),
        (0, 7, RollCall(present=0, habil=7, quorum=4, installed=False, missing=4)),
    ],
)
def test_roll_call(present: int, habil: int, expected: RollCall) -> None:
    assert roll_call(present, habil) == expected


# --- simple majority (art. 33) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "present", "adopted", "threshold"),
    [
        (ballot(F, F, F, A, A), 5, True, 3),
        (ballot(F, F, A, A, A), 5, False, 4),
        (ballot(F, F, A, X, X), 5, True, 2),  # abstentions count for neither side
        (ballot(F, X, X, X, X), 5, True, 1),
        (ballot(F, F), 5, True, 1),  # three present have not voted yet
    ],
)
def test_simple_majority_is_more_for_than_against(
    votes: dict[int, Vote], present: int, adopted: bool, threshold: int
) -> None:
    result = count_votes(votes, present_voting=present, rule=Majority.SIMPLE, president_seat=1)
    assert (result.adopted, result.threshold, result.casting_vote_used) == (adopted, threshold, False)


@pytest.mark.parametrize(
    ("votes", "president", "casting", "adopted", "used"),
    [
        (ballot(F, F, A, A), 1, None, None, False),  # waits for the President
        (ballot(F, F, A, A), 1, F, True, True),
        (ballot(F, F, A, A), 1, A, False, True),
        (ballot(F, F, A, A, X, X), 3, F, True, True),  # a tie with abstentions is still a tie
        (ballot(X, X, X), 1, None, None, False),  # 0-0 when everyone abstained
        (ballot(F, F, A, A), None, None, False, False),  # nobody holds a casting vote
    ],
)
def test_a_tie_goes_to_the_presidents_casting_vote(
    votes: dict[int, Vote], president: int | None, casting: Vote | None, adopted: bool | None, used: bool
) -> None:
    result = count_votes(
        votes,
        present_voting=len(votes),
        rule=Majority.SIMPLE,
        president_seat=president,
        casting_vote=casting,
    )
    assert (result.adopted, result.casting_vote_used) == (adopted, used)
    assert result.tie_needs_casting_vote is (adopted is None)


def test_a_casting_vote_without_a_tie_is_not_used() -> None:
    result = count_votes(
        ballot(F, F, A), present_voting=3, rule=Majority.SIMPLE, president_seat=3, casting_vote=A
    )
    assert (result.adopted, result.casting_vote_used) == (True, False)


def test_the_result_carries_the_counts_for_the_acta() -> None:
    result = count_votes(ballot(F, F, A, X), present_voting=6, rule=Majority.SIMPLE, president_seat=1)
    assert result == VoteResult(
        rule=Majority.SIMPLE,
        present=6,
        votes_for=2,
        votes_against=1,
        abstentions=1,
        not_voted=2,
        threshold=2,
        adopted=True,
        casting_vote_used=False,
    )


# --- two thirds (art. 34.1) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "threshold"),
    [(3, 2), (6, 4), (7, 5), (9, 6), (10, 7), (1, 1)],
)
def test_two_thirds_threshold_rounds_up(present: int, threshold: int) -> None:
    exactly = ballot(*[F] * threshold, *[A] * (present - threshold))
    one_short = ballot(*[F] * (threshold - 1), *[X] * (present - threshold + 1))
    passed = count_votes(exactly, present_voting=present, rule=Majority.TWO_THIRDS, president_seat=1)
    failed = count_votes(one_short, present_voting=present, rule=Majority.TWO_THIRDS, president_seat=1)
    assert (passed.threshold, passed.adopted) == (threshold, True)
    assert (failed.threshold, failed.adopted) == (threshold, False)


def test_two_thirds_counts_abstentions_and_silence_against() -> None:
    # 7 present, 4 for, 1 against, 1 abstains, 1 has not voted: 4 < 5.
    result = count_votes(
        ballot(F, F, F, F, A, X), present_voting=7, rule=Majority.TWO_THIRDS, president_seat=1
    )
    assert (result.adopted, result.threshold, result.not_voted) == (False, 5, 1)


def test_two_thirds_has_no_casting_vote() -> None:
    result = count_votes(
        ballot(F, F, A, A), present_voting=4, rule=Majority.TWO_THIRDS, president_seat=1, casting_vote=F
    )
    assert (result.adopted, result.casting_vote_used, result.threshold) == (False, False, 3)


def test_the_qualified_share_comes_from_the_commission_rules() -> None:
    result = count_votes(
        ballot(F, F, F, A, A),
        present_voting=5,
        rule=Majority.TWO_THIRDS,
        president_seat=None,
        qualified_fraction=Fraction(3, 4),
    )
    assert (result.threshold, result.adopted) == (4, False)


@pytest.mark.parametrize(
    ("present", "president", "casting", "fraction", "message"),
    [
        (2, 1, None, Fraction(2, 3), "only 2"),
        (0, 1, None, Fraction(2, 3), "at least one"),
        (3, 1, Vote.ABSTAIN, Fraction(2, 3), "for or against"),
        (3, None, Vote.FOR, Fraction(2, 3), "presiding seat"),
        (3, 1, None, Fraction(1, 2), "qualified_fraction"),
    ],
)
def test_nonsense_is_refused(
    present: int, president: int | None, casting: Vote | None, fraction: Fraction, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        count_votes(
            ballot(F, F, A),
            present_voting=present,
            rule=Majority.SIMPLE,
            president_seat=president,
            casting_vote=casting,
            qualified_fraction=fraction,
        )
