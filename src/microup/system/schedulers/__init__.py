"""The weekly reminder, installed with the user's own scheduler: a systemd user timer,
a launchd agent on macOS, or a cron job. One small interface (`Scheduler`), one file each."""
