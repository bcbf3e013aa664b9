"""Imported weights that are the ones VHCV derives are read as none."""

from app.quizzes.questions import OptionData, option_weights, plain_weights

THIRD = 1 / 3


def _options(*weights):
    return tuple(
        OptionData(key, key, w is not None and w > 0, w)
        for key, w in zip("abcd", weights, strict=False)
    )


def test_the_derived_weights_spelled_out_are_no_weights():
    spelled = _options(THIRD, THIRD, THIRD, -THIRD)
    plain = plain_weights(spelled)
    assert [o.weight for o in plain] == [None] * 4
    assert option_weights(plain) == option_weights(spelled)
    assert [o.correct for o in plain] == [True, True, True, False]


def test_other_weights_are_kept():
    for weights in (
        (0.5, 0.5, 0.0, 0.0),  # Moodle's unweighted wrong answers: 0, not -1/2
        (2 / 3, THIRD, -1.0, -THIRD),
        (THIRD + 1e-7, THIRD, THIRD - 1e-7, -THIRD),
    ):
        options = _options(*weights)
        assert plain_weights(options) == options, weights
    assert plain_weights(()) == ()
    unweighted = _options(None, None)
    assert plain_weights(unweighted) == unweighted
