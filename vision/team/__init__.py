"""A team deployment: who may sign in, their workspaces and roles, sharing, spending and audit."""
