"""Units tree, users (cadres and accounts), roles, scopes and sign-in."""
