"""A tiny app proving the sign-in rig: st.login / st.user / st.logout, and the library's
reading of the claims (role, whether the sign-in is refused). Run by tests only."""

import datetime as dt
import json

import streamlit as st  # noqa: TID251 (a test app, run by streamlit like app.py)

from ssi_bench.identity import SignInRefused, viewer_from_claims

if not st.user.is_logged_in:
    st.title("Signed out")
    if st.button("Sign in"):
        st.login()
else:
    claims = st.user.to_dict()
    st.title(f"Signed in as {claims.get('email')}")
    try:
        viewer = viewer_from_claims(claims, None, b"login-app-secret", dt.datetime.now(dt.UTC))
        st.markdown(f"role: **{viewer.role.name.lower()}**")
    except SignInRefused as refused:
        st.markdown(f"refused: **{refused.reason}**")
    shown = {k: v for k, v in claims.items() if k in ("email", "email_verified", "groups")}
    st.text(f"claims: {json.dumps(shown, sort_keys=True)}")
    st.markdown(f"iat present: **{'iat' in claims}**")
    if st.button("Sign out"):
        st.logout()
