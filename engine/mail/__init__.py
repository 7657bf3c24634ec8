"""E-mail: sent by the job runner, received by the mail gateway, reply templates chosen
by keywords. See docs/messages.md."""
