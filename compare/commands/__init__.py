"""Commands that live in their own modules, one module per command (or per group of commands).

Each module here defines ``register(app)``, which adds its commands to the Typer app of
:mod:`compare.cli`; the CLI finds them all at start-up. A command module imports only Typer and the
CLI's helpers at module level: the library code it calls is imported inside the command.
"""
