"""Content: courses/ (Markdown modules) and quizzes/ (question banks and quiz files),
the question formats of other tools (GIFT, Aiken, Word), and the same content edited
in the browser.

Reading and checking (every problem located by file and line), syncing into the
database, writing back (`flask content export`), and the `flask content` and
`flask quizzes` commands; for the authoring pages, who owns content and may edit it
(ownership), editing modules (module_editing, module_diff), questions
(question_editing) and quiz settings (quiz_editing) through the same pipeline as a
sync. This package may import app.courses and app.quizzes (their models and the
pure question model); they never import it. It writes their content rows (modules,
versions, drafts, banks, questions, quizzes), which are its own.
"""
