"""How much of an uploaded question file is read, all formats in one place: a file
past a bound is refused before it is parsed further, and a refused file lists at
most MAX_PROBLEMS of its problems (the page shows each one).

The uploads themselves are at most UPLOAD_MAX_BYTES (10 MB, app.uploads); these
bound the work and memory such a file can take.
"""

# Word (.docx). Paragraphs of one file: a bank of 500 questions has about 4,000;
# its runs (pieces of one formatting) about 20,000, and its document part under
# 2 MB. What python-docx reads (the runs of every paragraph) is bounded before it
# opens the file: millions of runs in a few hundred kB of ZIP held a worker for a
# minute.
MAX_PARAGRAPHS = 20_000
MAX_RUNS = 200_000
MAX_PART_BYTES = 16_000_000
# Elements of all its parts (document, styles, numbering, headers…), each one a node
# python-docx holds (about 150 bytes): a bank of 500 questions has some 200,000.
# One run of millions of tabs, or elements Word does not know, held 420 MB.
MAX_ELEMENTS = 1_000_000

# Questions of a file (GIFT, Aiken, Moodle XML; in text, the blocks between blank
# lines) and lines of a text file: 20,000 Word paragraphs hold about 2,500
# questions, and VHCV's GIFT export writes about 10 lines a question. 1.2 million
# empty Aiken questions (9.6 MB) took 100 s and 2 GB to list their 2.4 million
# problems.
MAX_QUESTIONS = 5_000
MAX_LINES = 100_000
# Moodle XML: every element of the tree parsed (a question of Moodle's export has
# 25 to 40, so 5,000 questions up to 200,000; 300,000 parse in about 1 s).
MAX_XML_ELEMENTS = 300_000

# Problems listed when a file is refused (any format); the rest are counted.
MAX_PROBLEMS = 100
