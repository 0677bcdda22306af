"""Errors that the CLI reports as one line and exit status 2."""


class UserError(Exception):
    """Bad user input (file, option, combination).  The message is one line
    that names what is wrong; the CLI prints it without a traceback."""
