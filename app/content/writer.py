"""Module, bank and quiz files written back from the database (`flask content
export`), in the formats the loaders read (README, "Course content", "Question banks
and quizzes"). Pure: text in, text out."""

import json

from app.quizzes.questions import TRUEFALSE, BankData, QuestionData, QuizData

from .modules import ModuleFile


def quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def module_text(module: ModuleFile) -> str:
    """The whole file of `module`: front matter, then the body exactly as stored
    (the loader reads everything after the closing `---` as the body)."""
    lines = [
        "---",
        f"code: {module.code}",
        f"course: {module.course}",
        f"title: {quoted(module.title)}",
        f"order: {module.order}",
        f"minutes: {module.minutes}",
    ]
    for key, items in (("objectives", module.objectives), ("sources", module.sources)):
        if items:
            lines.append(f"{key}:")
            lines += [f"  - {quoted(item)}" for item in items]
        else:
            lines.append(f"{key}: []")
    lines.append("---")
    return "\n".join(lines) + "\n" + module.body


def question_block(question: QuestionData) -> str:
    lines = [f"## {question.code}", f"type: {question.type}"]
    if question.tags:
        lines.append(f"tags: [{', '.join(question.tags)}]")
    lines.append(f"source: {quoted(question.source)}")
    if question.type == TRUEFALSE:
        lines.append(f"answer: {'true' if question.answer else 'false'}")
        if question.feedback_true:
            lines.append(f"feedback_true: {quoted(question.feedback_true)}")
        if question.feedback_false:
            lines.append(f"feedback_false: {quoted(question.feedback_false)}")
    lines += ["", question.stem, ""]
    for option in question.options:
        lines.append(f"- [{'x' if option.correct else ' '}] {option.text}")
        if option.feedback:
            lines.append(f"    > {option.feedback}")
    if question.options:
        lines.append("")
    lines.append(f"Giải thích: {question.explanation}")
    return "\n".join(lines) + "\n"


def bank_text(bank: BankData) -> str:
    head = ["---", f"code: {bank.code}", f"title: {quoted(bank.title)}"]
    if bank.course:
        head.append(f"course: {bank.course}")
    if bank.module:
        head.append(f"module: {bank.module}")
    if bank.exclusive:
        groups = ", ".join("[" + ", ".join(group) + "]" for group in bank.exclusive)
        head.append(f"exclusive: [{groups}]")
    head.append("---")
    blocks = [question_block(q) for q in bank.questions]
    return "\n".join(head) + "\n\n" + "\n".join(blocks)


def quiz_text(quiz: QuizData) -> str:
    lines = [f"code: {quiz.code}", f"title: {quoted(quiz.title)}"]
    if quiz.course:
        lines.append(f"course: {quiz.course}")
    lines += [
        f"time_limit_minutes: {quiz.time_limit_minutes}",
        f"pass_percent: {quiz.pass_percent}",
        f"attempts_allowed: {quiz.attempts_allowed}",
        f"shuffle_questions: {str(quiz.shuffle_questions).lower()}",
        f"shuffle_options: {str(quiz.shuffle_options).lower()}",
        f"questions_per_page: {quiz.questions_per_page}",
        f"review: {quiz.review}",
        f"partial_credit: {str(quiz.partial_credit).lower()}",
        "draw:",
    ]
    for rule in quiz.draw:
        where = f"bank: {rule.bank}" if rule.bank else f"tag: {rule.tag}"
        lines.append(f"  - {{{where}, count: {rule.count}}}")
    return "\n".join(lines) + "\n"
