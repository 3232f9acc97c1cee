"""`python3 -m localaws [moto_server's arguments]`: moto_server with the fixes."""

import sys

from . import EmulatorMismatch, install


def main():
    try:
        install()
    except EmulatorMismatch as e:
        # One line, which StartMoto reports as the reason the local AWS did not start.
        print(f"localaws: {e}", file=sys.stderr)
        sys.exit(2)
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
