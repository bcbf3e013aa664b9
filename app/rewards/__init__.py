"""Reward candidates of the emulation movement (phong trào thi đua): rules per
campaign, candidate collectives and individuals, nominations going up the tree, and
the "danh sách đề nghị khen thưởng"."""
