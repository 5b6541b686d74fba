"""The README's deployment, run: Debian's nginx terminating TLS (a self-signed certificate)
in front of Streamlit under the path prefix /ssi, websockets proxied, and the sign-in
redirect going through the proxy.

The nginx server block is the shipped ``deploy/nginx.conf``; only what a non-root test must
change is substituted (listen address, certificate paths, upstream port) and it is wrapped in
a top-level config keeping pid, logs and temp files in the test's directory.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM,
    ROOT,
    chromium,
    free_port,
    stop,
    streamlit_server,
)
from tests.oidc_support import oidc_provider, sign_in, sign_out, streamlit_with_auth

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY_CONF = ROOT / "deploy" / "nginx.conf"
LOGIN_APP = Path(__file__).resolve().parent / "apps" / "login_app.py"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(not Path(NGINX).exists(), reason="needs Debian's nginx"),
]


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(  # fixed argv, no shell
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_config(tmp: Path, listen_port: int, upstream_port: int) -> Path:
    """The shipped server block with test-only substitutions, in a non-root top level."""
    cert, key = _self_signed(tmp)
    site = DEPLOY_CONF.read_text()
    for old, new in (
        ("listen 443 ssl;", f"listen 127.0.0.1:{listen_port} ssl;"),
        ("server_name bench.example.com;", "server_name 127.0.0.1;"),
        ("/etc/ssl/certs/ssi-bench.crt", str(cert)),
        ("/etc/ssl/private/ssi-bench.key", str(key)),
        ("proxy_pass http://127.0.0.1:8501;", f"proxy_pass http://127.0.0.1:{upstream_port};"),
    ):
        assert old in site, f"deploy/nginx.conf no longer has {old!r}"
        site = site.replace(old, new)
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"worker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\n"
        f"daemon off;\nevents {{ worker_connections 128; }}\n"
        f"http {{\n    access_log {tmp / 'access.log'};\n{temp}\n{site}\n}}\n"
    )
    return conf


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited with code {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nginx not listening on {port}")


@contextlib.contextmanager
def nginx_proxy(tmp: Path, upstream_port: int, listen_port: int | None = None) -> Iterator[int]:
    """nginx on 127.0.0.1:``listen_port`` (free by default) → Streamlit; yields the port."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = listen_port or free_port()
    conf = nginx_config(tmp, port, upstream_port)
    check = subprocess.run(
        [NGINX, "-t", "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port, proc)
        yield port
    finally:
        stop(proc)


@contextlib.contextmanager
def real_app(tmp: Path) -> Iterator[int]:
    """The real app.py under /ssi with an empty temporary database; yields its port."""
    with streamlit_server(tmp, base_url_path="ssi") as url:
        port = urllib.parse.urlsplit(url).port
        assert port is not None
        yield port


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def test_the_home_page_renders_through_nginx_over_tls_under_ssi(tmp_path, browser):
    with real_app(tmp_path) as upstream, nginx_proxy(tmp_path / "nginx", upstream) as port:
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(f"https://127.0.0.1:{port}/ssi/")
        # The page's content arrives over the websocket: it renders only if the upgrade of
        # /ssi/_stcore/stream went through the proxy.
        page.get_by_role("heading", name="SSI Bench").first.wait_for(timeout=60_000)
        page.get_by_role("heading", name="Check my score").wait_for(timeout=60_000)
        assert sockets == [f"wss://127.0.0.1:{port}/ssi/_stcore/stream"]
        context.close()


def test_sign_in_goes_through_the_proxy(tmp_path, browser):
    users = {"ann": {"email": "ann@example.com", "email_verified": True}}
    upstream, port = free_port(), free_port()
    public = f"https://127.0.0.1:{port}/ssi"
    with (
        oidc_provider(tmp_path, users) as issuer,
        streamlit_with_auth(
            LOGIN_APP,
            tmp_path / "run",
            issuer,
            redirect_uri=f"{public}/oauth2callback",
            port=upstream,
            base_url_path="ssi",
        ),
        nginx_proxy(tmp_path / "nginx", upstream, port),
    ):
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        sign_in(page, f"{public}/", "ann")
        assert "Signed in as ann@example.com" in page.inner_text("body")
        assert page.url.startswith(public)
        sign_out(page)
        context.close()
    access = (tmp_path / "nginx" / "access.log").read_text()
    assert "GET /ssi/oauth2callback?" in access
