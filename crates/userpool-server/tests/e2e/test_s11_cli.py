"""SPEC §11 — the AWS CLI example of the README runs verbatim against the server: it prints
nothing and exits 0 (AdminSetUserPassword answers `{}`)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from support import DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY, assert_tokens, create_user, sign_in, status


def aws_cli() -> str:
    beside = Path(sys.executable).parent / "aws"  # the venv's awscli (requirements.txt)
    if beside.exists():
        return str(beside)
    found = shutil.which("aws")
    assert found, "the AWS CLI is not installed: pip install -r requirements.txt"
    return found


def test_s11_cli_admin_set_user_password_example(server, cognito, pool, app_client, tmp_path):
    create_user(cognito, pool, "diego@example.com")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),  # no ~/.aws of the machine
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_ACCESS_KEY_ID": DEV_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DEV_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    command = [
        aws_cli(), "--endpoint-url", f"http://127.0.0.1:{server.port}",
        "cognito-idp", "admin-set-user-password",
        "--user-pool-id", pool,
        "--username", "diego@example.com",
        "--password", "MyExamplePassword1!",
        "--permanent",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"aws exited {done.returncode}: {done.stderr[-2000:]}"
    assert done.stdout == "", done.stdout
    assert done.stderr == "", done.stderr
    assert status(cognito, pool, "diego@example.com") == "CONFIRMED"
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego@example.com", "MyExamplePassword1!"))
