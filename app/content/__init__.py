"""Content files: courses/ (Markdown modules) and quizzes/ (question banks and quiz
files), and the question formats of other tools (GIFT, Aiken, Word).

Reading and checking (every problem located by file and line), syncing into the
database, writing back (`flask content export`), and the `flask content` and
`flask quizzes` commands. This package may import app.courses and app.quizzes
(their models and the pure question model); they never import it.
"""
