"""A real OpenID Connect provider for the tests: PyPI's ``oidc-provider-mock`` (0.3.x) run
as a subprocess on 127.0.0.1 with a free port, and a Streamlit server with an ``[auth]``
section pointing at it.

How a test chooses who signs in: the provider's authorisation page has a ``sub`` field; the
user typed there signs in with the claims registered for that subject (``--user-claims`` at
start, or :func:`set_user` — ``PUT /users/<sub>`` — later), or with ``{"email": sub}`` when
none were registered. Its ID tokens carry those claims, ``sub`` and ``iat``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import ROOT, clean_env, free_port, stop, streamlit_process

DISCOVERY = "/.well-known/openid-configuration"


def wait_for_discovery(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> dict:
    """The provider's discovery document, once it answers (RuntimeError if it exits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oidc-provider-mock exited early with code {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url + DISCOVERY, timeout=2) as r:
            if r.status == 200:
                return dict(json.load(r))
        time.sleep(0.2)
    raise TimeoutError(f"{url} served no discovery document after {timeout:.0f} s")


@contextlib.contextmanager
def oidc_provider(
    log_dir: Path, users: Mapping[str, Mapping[str, Any]] | None = None
) -> Iterator[str]:
    """Run the provider; yields its issuer URL (``http://127.0.0.1:PORT``).

    ``users``: subject → claims registered at start (e.g. ``{"email": …, "email_verified":
    True, "groups": [...]}``).
    """
    port = free_port()
    argv = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for sub, claims in (users or {}).items():
        argv += ["--user-claims", json.dumps({"sub": sub, **claims})]
    log = (log_dir / "oidc-provider.log").open("wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)  # fixed argv, no shell
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_discovery(url, proc)
        yield url
    finally:
        stop(proc)
        log.close()


def set_user(issuer: str, sub: str, claims: Mapping[str, Any]) -> None:
    """Register (or replace) the claims the provider issues for ``sub``."""
    request = urllib.request.Request(
        f"{issuer}/users/{sub}",
        data=json.dumps(dict(claims)).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as r:
        assert r.status == 204


def auth_secrets(issuer: str, redirect_uri: str) -> str:
    """A ``.streamlit/secrets.toml`` body with Streamlit's standard ``[auth]`` section."""
    return (
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "ssi-bench-test"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{issuer}{DISCOVERY}"\n'
    )


@dataclass(frozen=True)
class StreamlitAuthServer:
    url: str  # where the browser talks to Streamlit directly
    port: int
    run_dir: Path


@contextlib.contextmanager
def streamlit_with_auth(
    script: Path,
    run_dir: Path,
    issuer: str,
    *,
    redirect_uri: str | None = None,
    port: int | None = None,
    base_url_path: str = "",
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[StreamlitAuthServer]:
    """``streamlit run script`` from ``run_dir`` (which gets ``.streamlit/secrets.toml`` with
    ``[auth]``) on 127.0.0.1. ``redirect_uri`` defaults to this server's own
    ``/oauth2callback``; behind a proxy pass the proxy's. The browser must use exactly the
    host of ``redirect_uri`` (``localhost`` and ``127.0.0.1`` hold different cookies)."""
    port = port or free_port()
    prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    direct = f"http://127.0.0.1:{port}{prefix}"
    (run_dir / ".streamlit").mkdir(parents=True, exist_ok=True)
    (run_dir / ".streamlit" / "secrets.toml").write_text(
        auth_secrets(issuer, redirect_uri or f"{direct}/oauth2callback")
    )
    env = clean_env()
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("SSI_BENCH_SECRET", "oidc-test-secret-at-least-32-characters")
    env.update(extra_env or {})
    with streamlit_process(Path(script), port, env, run_dir, run_dir, base_url_path) as url:
        assert url == direct
        yield StreamlitAuthServer(direct, port, run_dir)


def sign_in(page: Any, app_url: str, sub: str) -> None:
    """In a Playwright ``page``: open the app, press "Sign in", sign in at the provider as
    ``sub``, and wait until the app shows the signed-in state."""
    page.goto(app_url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.get_by_text("Signed in as").wait_for(timeout=30_000)
    # the app's last element: the whole page has rendered
    page.get_by_role("button", name="Sign out").wait_for(timeout=30_000)


def sign_out(page: Any) -> None:
    """Press "Sign out" in the app and confirm at the provider's end-session page."""
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)


@pytest.fixture
def oidc_issuer(tmp_path: Path) -> Iterator[str]:
    """A running provider (no predefined users); stopped after the test."""
    with oidc_provider(tmp_path) as issuer:
        yield issuer
