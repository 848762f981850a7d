"""Vision Playground: the Streamlit entry point, a router over the app's pages."""

from pathlib import Path

import streamlit as st

from ui.shared.backend import configured_settings

_, key_source = configured_settings()
st.set_page_config(
    page_title="Vision Playground",
    # A file of the app's own: a Material icon here would make every browser fetch it from a
    # font server on the internet.
    page_icon=str(Path(__file__).parent / "ui" / "assets" / "favicon.png"),
    layout="wide",
    # The sidebar only holds the connection: open it when there is no key to paste yet.
    initial_sidebar_state="auto" if key_source is None else "collapsed",
)
st.navigation(
    [
        st.Page(
            "ui/pages/playground.py",
            title="Playground",
            icon=":material/photo_library:",
            url_path="playground",
            default=True,
        ),
        st.Page("ui/pages/batch.py", title="Batch", icon=":material/table_view:", url_path="batch"),
        st.Page(
            "ui/pages/history.py", title="History", icon=":material/history:", url_path="history"
        ),
    ],
).run()
