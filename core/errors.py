"""The one exception type that reaches the user as a single line."""


class ProvdcError(Exception):
    """An error the user can act on: printed as one line, exit code `exit_code`, no traceback."""

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
