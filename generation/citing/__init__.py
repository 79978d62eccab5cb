"""CITING: a teacher's rubrics per category of instruction, and rounds of student answers the
teacher revises against them (generation.citing.pipeline.citing_run)."""
