"""What every page uses: the connection, the store, the model picker, exports, charts."""
