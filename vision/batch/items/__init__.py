"""A batch's items and where they come from: files on this machine, what a page user gives, the
manifest of a page's batch kept in the history, and multiple-choice rows."""
