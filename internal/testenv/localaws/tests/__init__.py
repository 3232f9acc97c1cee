"""Tests of the launcher's fixes, each against moto in this process (moto's mock_aws, which
answers boto3 from moto's backends without a server or any network). Run from
internal/testenv by `go test` (TestLauncherPythonTests), or by hand:

    cd internal/testenv && python3 -m unittest discover -s localaws/tests -t .

Each test says which fix it covers; each fails when its fix is removed.
"""
