"""The command table: every command's name, one-line help and the module that defines it.

`microup --help` and shell completion read this table instead of importing the command
modules, so listing the commands costs nothing; a command's module is imported only when it
runs or its own `--help` is asked for (see `cli.lazy`). The order here is the order people
read in `microup --help`: what you do every day first, the shared store last.

`tests/test_cli_commands.py` fails when this table and the commands drift apart (names,
help or module); its message prints the table as it should read.
"""

from typing import NamedTuple


class Command(NamedTuple):
    """One command (or a group of them, such as `remind`) as `--help` lists it."""

    name: str
    module: str
    """The module under `microup.cli` whose import registers the command."""
    help: str
    """The first sentence of the command's help: what `--help` and completion show."""
    commands: tuple["Command", ...] = ()
    """A group's own commands, in the order its `--help` lists them."""


class Panel(NamedTuple):
    """A heading in `microup --help` and the commands under it."""

    title: str
    commands: tuple[Command, ...]


PANELS: tuple[Panel, ...] = (
    Panel(
        "Every day",
        (
            Command("log", "journal", "Record a session and see the week's progress."),
            Command("week", "journal", "This week against your goal, day by day."),
            Command("review", "review", "What to review now, and what faded most."),
            Command(
                "session",
                "session",
                "Run today's session block by block, timed and logged.",
            ),
            Command("start", "timer", "Start timing a session; `microup stop` logs it."),
            Command(
                "continue", "timer", "Start the timer again on the topic you last logged or timed."
            ),
            Command("stop", "timer", "Stop the running timer and log it as an entry."),
            Command("status", "timer", "Whether a timer is running, since when, and on what."),
            Command("cancel", "timer", "Drop the running timer without logging anything."),
        ),
    ),
    Panel(
        "Your history",
        (
            Command("entries", "journal", "Recent entries, newest first, with their ids."),
            Command("edit", "journal", "Change an entry's duration, topic, note or time."),
            Command("delete", "journal", "Delete one entry (asks first, unless --yes)."),
            Command("undo", "changes", "Revert the most recent change, or change ID."),
            Command("history", "changes", "The last changes, newest first, and which were undone."),
            Command(
                "topics",
                "changes",
                "Each topic with its minutes and when you last studied it.",
                (
                    Command(
                        "rename", "changes", "Respell or rename a topic, or merge it into another."
                    ),
                ),
            ),
            Command(
                "stats", "history", "Weeks against the goal, streaks, adherence, time per topic."
            ),
            Command("calendar", "history", "A heatmap of minutes a day over the last months."),
            Command(
                "curve", "review", "Draw the forgetting curve, of all material or of one topic."
            ),
        ),
    ),
    Panel(
        "Planning and reminders",
        (
            Command("goal", "journal", "Show or set the weekly goal (default 60 minutes)."),
            Command(
                "holiday", "holiday", "Mark a week off: it neither breaks nor extends your streak."
            ),
            Command("plan", "review", "This week's review plan, session by session."),
            Command(
                "programme",
                "programme",
                "Training programmes: modules, pace, and when you finish.",
                (
                    Command(
                        "add",
                        "programme",
                        "Add a programme from its outline, or update it in place.",
                    ),
                    Command(
                        "list",
                        "programme",
                        "Every programme, running and finished, in the order added.",
                    ),
                    Command(
                        "remove",
                        "programme",
                        "Remove a programme and its progress (asks first, unless --yes; undo "
                        "brings it back).",
                    ),
                    Command(
                        "done", "programme", "Mark a module finished, whatever minutes it had."
                    ),
                ),
            ),
            Command("config", "review", "Show or change the review planner's settings."),
            Command(
                "remind",
                "remind",
                "Where this week stands and what to review, in a few lines.",
                (
                    Command("install", "remind", "Schedule the weekly reminder."),
                    Command("remove", "remind", "Remove the scheduled reminder, wherever it is."),
                    Command(
                        "show",
                        "remind",
                        "Which scheduler holds the reminder and when it next speaks.",
                    ),
                ),
            ),
            Command(
                "cron",
                "remind",
                "The weekly reminder as a cron job, for cron only.",
                (
                    Command("install", "remind", "Install (or update) the one microup cron job."),
                    Command(
                        "remove",
                        "remind",
                        "Remove the microup job; the rest of your crontab stays.",
                    ),
                    Command("show", "remind", "When the cron job next reminds you."),
                ),
            ),
        ),
    ),
    Panel(
        "Your data",
        (
            Command("export", "history", "Everything you logged, as JSON (default) or CSV."),
            Command("import", "history", "Add the entries of an export; all or nothing."),
            Command(
                "lrs",
                "lrs",
                "Your entries in your organisation's Learning Record Store (xAPI).",
                (Command("send", "lrs", "Send your entries to the LRS as xAPI statements."),),
            ),
        ),
    ),
    Panel(
        "Shared store (PostgreSQL)",
        (
            Command(
                "db",
                "admin",
                "Set up a shared store and its learners (for its administrator).",
                (
                    Command(
                        "init", "admin", "Create or upgrade the store in an existing database."
                    ),
                    Command("add-learner", "admin", "Let roles log their own sessions."),
                    Command(
                        "add-reporter",
                        "admin",
                        "Let roles read cohort reports, and send consenting learners' statements.",
                    ),
                ),
            ),
            Command(
                "cohort",
                "admin",
                "Groups of learners on a shared store, and their report.",
                (
                    Command("create", "admin", "Start a new, empty cohort."),
                    Command("add", "admin", "Enrol learners in a cohort."),
                    Command(
                        "remove", "admin", "Take learners out of a cohort (their entries stay)."
                    ),
                    Command("delete", "admin", "Forget a cohort and who was in it (entries stay)."),
                    Command(
                        "list", "admin", "Every cohort and its learners (administrators only)."
                    ),
                    Command(
                        "programme",
                        "admin",
                        "Give every learner of a cohort a programme, as their own.",
                    ),
                    Command("report", "admin", "How the cohort is managing, beside the UK pilot."),
                ),
            ),
        ),
    ),
)

COMMANDS: dict[str, Command] = {
    command.name: command for panel in PANELS for command in panel.commands
}
"""The top-level commands by name, in the order of the panels."""
