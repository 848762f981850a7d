"""Vision Playground: the Streamlit entry point, a router over the app's pages."""

import streamlit as st

from ui.shared.auth import identity_panel, opens_shared_link, require_person, team_pages
from ui.shared.backend import configured_settings
from ui.shared.calibration import page_calibrator
from ui.shared.frame import set_frame
from ui.shared.startup import network_notice, refuse_unsound_sign_in
from vision.server_log import quiet_browser_departures
from vision.server_memory import keep_handing_back_memory

# With many people at once a browser often leaves mid-upload: a line in the log, not a traceback.
quiet_browser_departures()
# After a crowd has left, the memory its sessions held goes back to the system.
keep_handing_back_memory()
_, key_source = configured_settings()
# The sidebar only holds the connection: open it when there is no key to paste yet.
set_frame(show_sidebar=key_source is None)
# A team app whose [auth] cannot sign anyone in shows one sentence and nothing else.
refuse_unsound_sign_in()
page_calibrator()  # every estimate on every page uses what was measured
# Before any page: with [auth] configured, nobody past this line is unsigned or not allowed.
person = require_person()
with st.sidebar:
    identity_panel(person)
network_notice(person)
st.navigation(
    [
        st.Page(
            "ui/pages/playground.py",
            title="Playground",
            icon=":material/photo_library:",
            url_path="playground",
            default=not opens_shared_link(person),
        ),
        st.Page("ui/pages/batch.py", title="Batch", icon=":material/table_view:", url_path="batch"),
        st.Page(
            "ui/pages/history.py", title="History", icon=":material/history:", url_path="history"
        ),
        *team_pages(person),
    ],
).run()
