"""The two ways the launcher refuses: a template the transform rejects, and a moto (or
aws-sam-translator) this launcher was not written against."""


class TransformError(Exception):
    """A transform refused a template; str() is CloudFormation's reason."""


class EmulatorMismatch(Exception):
    """The installed moto or aws-sam-translator is not the one the fixes were written
    against: a patch target is missing, or a version differs. str() is one line, printed as
    the launcher's last word before it exits."""
