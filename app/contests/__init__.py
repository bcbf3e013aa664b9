"""Contests (cuộc thi tìm hiểu trực tuyến): rounds run as quizzes through the attempt
core, frozen rankings with the prediction tie-break, prizes and the results papers."""
