"""The versions of moto and aws-sam-translator the fixes are written against.

The fixes patch moto's internals and run the translator's: another release may have renamed
what they patch, fixed what they work around, or changed what they rely on. So start-up fails
on any other version, with one line saying which was expected and which found, rather than
the emulator misbehaving in ways that look like samship's bugs. Moving to a new release: change
EXPECTED, run `go test ./internal/testenv/...` (it runs the fixes' own tests), and fix or drop
what fails.
"""

from importlib import metadata

from .errors import EmulatorMismatch

EXPECTED = {"moto": "5.2.1", "aws-sam-translator": "1.110.0"}


def check(expected=None, version=metadata.version):
    """Raises EmulatorMismatch for the first distribution whose installed version is not the
    expected one (or that is not installed)."""
    for dist, want in (expected or EXPECTED).items():
        try:
            found = version(dist)
        except metadata.PackageNotFoundError:
            found = None
        if found != want:
            raise EmulatorMismatch(
                f"{dist} {want} expected, {'none installed' if found is None else found + ' found'} "
                f"(the emulator fixes are written against {dist} {want}: pip install '{dist}=={want}')"
            )
