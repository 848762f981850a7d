"""Asking a batch: ask_batch and the engine under every batch (bounded requests, images prepared
just ahead, the answer cache), a recorded batch resumed, one on a thread of this process, and the
resolution sweep."""
