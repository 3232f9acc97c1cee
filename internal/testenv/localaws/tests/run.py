"""`python3 -m localaws.tests.run RESULTS` (from internal/testenv): runs every test here and
writes one JSON object a line to RESULTS: {"id", "outcome" (ok, fail, error, skip),
"detail", "seconds"}, for the Go test that reports each as a subtest."""

import json
import sys
import time
import unittest


class Recorder(unittest.TextTestResult):
    def __init__(self, *args, out, **kwargs):
        super().__init__(*args, **kwargs)
        self.out = out

    def startTest(self, test):
        self._began = time.monotonic()
        self._outcome = ("ok", "")
        super().startTest(test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._outcome = ("fail", self.failures[-1][1])

    def addError(self, test, err):
        super().addError(test, err)
        self._outcome = ("error", self.errors[-1][1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._outcome = ("skip", reason)

    def stopTest(self, test):
        super().stopTest(test)
        outcome, detail = self._outcome
        self.out.write(json.dumps({"id": test.id(), "outcome": outcome, "detail": detail,
                                   "seconds": round(time.monotonic() - self._began, 3)}) + "\n")
        self.out.flush()


def main(path):
    suite = unittest.TestLoader().discover("localaws/tests", top_level_dir=".")
    with open(path, "w") as out:
        runner = unittest.TextTestRunner(verbosity=2, resultclass=lambda *a, **k: Recorder(*a, out=out, **k))
        result = runner.run(suite)
    # A module that fails to import is a test of its own (unittest.loader._FailedTest).
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
