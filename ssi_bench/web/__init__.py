"""The Streamlit layer: the one part of the library that imports Streamlit.

Modelled on datasette's ``views/`` package: one module per page, each with a ``render()``
that draws the page, plus modules for what several pages share. Page scripts (``app.py``,
``pages/N_*.py``) stay thin: :func:`ssi_bench.web.frame.page_setup`, then the page's
``render()``. Imports run one way — pages → ``frame`` → ``shared_view`` → page modules →
``widgets`` / ``sharing`` / ``admin`` → ``state`` / ``format`` → the library — so this file
imports nothing.

- :mod:`~ssi_bench.web.state` — the process-wide :class:`~ssi_bench.api.Bench`, cached
  queries keyed by :meth:`Bench.data_version`, error / stop / flash helpers;
- :mod:`~ssi_bench.web.format` — text: :func:`safe_md` (user text inside markdown),
  numbers, :func:`standing_sentence`, cohort labels;
- :mod:`~ssi_bench.web.admin` — the admin gate (:func:`require_admin`, :func:`is_admin`);
- :mod:`~ssi_bench.web.sharing` — share links (:func:`share_button`);
- :mod:`~ssi_bench.web.shared_view` — the read-only view a share link opens;
- :mod:`~ssi_bench.web.frame` — :func:`page_setup` and the sidebar, for every page;
- :mod:`~ssi_bench.web.widgets` — inputs and the standing renderer shared by pages;
- one module per page: ``home``, ``upload``, ``my_benchmark``, ``trends``, ``cohorts``
  (Sectors and Networks), ``outcomes``, ``data``.

User-supplied strings (sector and network names, file and column names) reach the page
only through ``st.text``, ``st.dataframe``, ``st.code`` or :func:`safe_md`; nothing here
uses ``unsafe_allow_html``.
"""
