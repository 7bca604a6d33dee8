"""moto's own KMS and S3-encryption test modules, run in server mode against one endpoint.

    python moto_suite.py --suite DIR --endpoint http://127.0.0.1:PORT [--label NAME]
                         [--allowlist FILE] [--report FILE]

DIR holds the `tests/` package extracted from moto's source distribution (scripts/moto-suite.sh
fetches it; nothing of moto is committed here). The tests run under pytest with
TEST_SERVER_MODE=true, so every boto3 client they make talks to the endpoint, and moto's
`@mock_aws` resets the server through `POST /moto-api/reset` around each test.

With --allowlist, every failing test must match an entry of the list (`<test id> | <the AWS
fact that justifies the difference>`, `*` matching any run of characters), and every entry must
match a failing test: exit 1 otherwise, naming the tests. The last line printed is

    <label>: N passed, M failed (A allowed, U unexpected)

The module is also the pytest plugin that records each test's outcome (`-p moto_suite`).
"""

import argparse
import json
import os
import re
import subprocess
import sys

# The modules issue 7 names: moto's KMS tests and its S3 encryption tests. test_model,
# test_utils and test_server call moto's Python internals in-process, not the server.
PATHS = ["tests/test_kms", "tests/test_s3/test_s3_encryption.py"]
IN_PROCESS = ["tests/test_kms/test_model.py", "tests/test_kms/test_utils.py", "tests/test_kms/test_server.py"]

_outcomes = {}


def pytest_runtest_logreport(report):
    """pytest hook: a test failed if any phase failed; passed if its call passed."""
    prev = _outcomes.get(report.nodeid, {"outcome": "passed", "message": ""})
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        msg = crash.message if crash is not None else str(report.longrepr)
        prev = {"outcome": "failed", "message": msg.splitlines()[0] if msg else ""}
    elif report.skipped and prev["outcome"] != "failed":
        prev = {"outcome": "skipped", "message": ""}
    _outcomes[report.nodeid] = prev


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("MOTO_SUITE_REPORT")
    if path:
        with open(path, "w") as f:
            json.dump(_outcomes, f, indent=1, sort_keys=True)


def read_allowlist(path):
    """[(pattern, compiled, reason, line)] from `id | reason` lines; `#` starts a comment."""
    entries = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if "|" not in line:
                sys.exit(f"{path}:{n}: expected `<test id> | <reason>`, got {line!r}")
            pattern, reason = (x.strip() for x in line.split("|", 1))
            if not reason:
                sys.exit(f"{path}:{n}: {pattern} has no reason: say which AWS fact justifies it")
            rx = re.compile("^" + re.escape(pattern).replace(r"\*", ".*") + "$")
            entries.append((pattern, rx, reason, n))
    return entries


def run(suite, endpoint, report):
    env = dict(os.environ)
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "AWS_PROFILE"):
        env.pop(k, None)
    env.update({
        "TEST_SERVER_MODE": "true",
        "TEST_SERVER_MODE_ENDPOINT": endpoint,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",
        "MOTO_SUITE_REPORT": report,
        "PYTHONPATH": os.path.dirname(os.path.abspath(__file__)) + os.pathsep + env.get("PYTHONPATH", ""),
    })
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "moto_suite",
            "-W", "ignore", "--tb=no", "--no-header", "-o", "console_output_style=classic"]
    args += PATHS + [f"--ignore={p}" for p in IN_PROCESS]
    subprocess.run(args, cwd=suite, env=env, stdout=subprocess.DEVNULL, check=False)
    if not os.path.exists(report):
        sys.exit(f"pytest wrote no report: is {suite}/tests moto's test package?")
    with open(report) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suite", required=True)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--label", default="server")
    ap.add_argument("--allowlist")
    ap.add_argument("--report", help="where to keep the per-test outcomes (JSON)")
    a = ap.parse_args()
    report = os.path.abspath(a.report or os.path.join(a.suite, f"outcomes-{a.label}.json"))
    if os.path.exists(report):
        os.remove(report)
    outcomes = run(os.path.abspath(a.suite), a.endpoint, report)
    passed = sorted(t for t, o in outcomes.items() if o["outcome"] == "passed")
    failed = sorted(t for t, o in outcomes.items() if o["outcome"] == "failed")
    skipped = [t for t, o in outcomes.items() if o["outcome"] == "skipped"]
    if not outcomes:
        sys.exit(f"{a.label}: no test ran")
    ok = True
    allowed, unexpected = [], []
    if a.allowlist:
        entries = read_allowlist(a.allowlist)
        for t in failed:
            (allowed if any(e[1].match(t) for e in entries) else unexpected).append(t)
        used = {e[3] for e in entries if any(e[1].match(t) for t in failed)}
        for t in unexpected:
            print(f"UNEXPECTED {t}: {outcomes[t]['message']}")
        stale = [e for e in entries if e[3] not in used]
        for pattern, rx, _, n in stale:
            why = "now passes" if any(rx.match(t) for t in passed) else "matches no test"
            print(f"STALE {a.allowlist}:{n}: {pattern} ({why}: remove it)")
        ok = not unexpected and not stale
    else:
        for t in failed:
            print(f"FAILED {t}: {outcomes[t]['message']}")
    tail = f", {len(skipped)} skipped" if skipped else ""
    extra = f" ({len(allowed)} allowed, {len(unexpected)} unexpected)" if a.allowlist else ""
    print(f"{a.label}: {len(passed)} passed, {len(failed)} failed{tail}{extra}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
