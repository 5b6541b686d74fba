"""The sign-in rig end to end: a real OpenID provider, Streamlit's own st.login, Chromium.

Proves that the provider mock, the ``[auth]`` secrets and the browser fit together (the
pages' sign-in gating is built on it) and that the library reads the claims Streamlit keeps:
e-mail, ``email_verified``, a group claim and ``iat``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS
from tests.oidc_support import oidc_provider, sign_in, sign_out, streamlit_with_auth

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
LOGIN_APP = Path(__file__).resolve().parent / "apps" / "login_app.py"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def test_a_chosen_user_signs_in_sees_their_claims_and_role_and_signs_out(tmp_path, browser):
    users = {
        "boss": {"email": "Boss@Example.com", "email_verified": True, "groups": ["ssi-admins"]},
        "ann": {"email": "ann@example.com", "email_verified": True, "groups": ["sales"]},
        "ghost": {"email": "ghost@example.com", "email_verified": False},
    }
    env = {
        "SSI_BENCH_ROLE_CLAIM": "groups",
        "SSI_BENCH_ADMIN_GROUP": "ssi-admins",
        "SSI_BENCH_MANAGERS": "*@managers.example.com",
    }
    with (
        oidc_provider(tmp_path, users) as issuer,
        streamlit_with_auth(LOGIN_APP, tmp_path / "run", issuer, extra_env=env) as app,
    ):
        page = browser.new_page()
        sign_in(page, app.url, "boss")
        assert page.get_by_text("Signed in as Boss@Example.com").is_visible()
        body = page.inner_text("body")
        assert "role: admin" in body and "ssi-admins" in body and "iat present: True" in body
        sign_out(page)
        assert page.get_by_text("Signed out").is_visible()

        sign_in(page, app.url, "ann")
        body = page.inner_text("body")
        assert "Signed in as ann@example.com" in body and "role: seller" in body
        sign_out(page)

        sign_in(page, app.url, "ghost")
        assert "refused: unverified" in page.inner_text("body")
        page.close()
